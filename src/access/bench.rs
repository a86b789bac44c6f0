//! Benchmark cases for the access engine and a runner for one case. The runner times
//! nearest service, 2SFCA and E2SFCA together (one [`compute_access_parallel`] call) on a
//! synthetic problem and reads the process's peak memory; to isolate cases, a binary can run
//! each in a fresh child process of itself and collect the [`BenchReport`]s (they serialise
//! to JSON).

use std::time::Instant;

use serde::Serialize;

use super::{
    compute_access_parallel, synth, AccessError, AccessSettings, Coordinates, Extent, Metric,
    SynthSpec,
};

/// A named synthetic problem and the settings to run it with.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchCase {
    pub name: &'static str,
    pub spec: SynthSpec,
    pub settings: AccessSettings,
}

/// The measurements of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub case: String,
    pub demand_sites: usize,
    pub services: usize,
    pub threads: usize,
    pub runs: usize,
    /// Demand-service pairs within the catchment.
    pub pairs_in_reach: u64,
    /// Median wall time of the runs, seconds (generation excluded).
    pub median_seconds: f64,
    pub fastest_seconds: f64,
    pub pairs_per_second: f64,
    /// Peak resident memory of the process (VmHWM), bytes; `None` where /proc is absent.
    pub peak_memory_bytes: Option<u64>,
}

/// The standard cases, smallest first: a county's day services, small areas, a dense county
/// (about 25 million pairs in reach), every LSOA in England, every postcode in England. All
/// lon/lat, great-circle, 30 km catchment, Luo and Qi's zones.
pub fn standard_cases() -> Vec<BenchCase> {
    let case = |name, extent, demand, services| BenchCase {
        name,
        spec: SynthSpec::new(extent, demand, services),
        settings: AccessSettings::default(),
    };
    vec![
        case("county-400x70", Extent::County, 400, 70),
        case("county-5000x500", Extent::County, 5_000, 500),
        case("county-33000x3000", Extent::County, 33_000, 3_000),
        case("england-lsoa-35000x20000", Extent::England, 35_000, 20_000),
        case(
            "england-postcode-1500000x20000",
            Extent::England,
            1_500_000,
            20_000,
        ),
    ]
}

/// Extra cases: the dense county on the planar metric (easting/northing) and with the
/// Gaussian decay.
pub fn variant_cases() -> Vec<BenchCase> {
    let mut planar = SynthSpec::new(Extent::County, 33_000, 3_000);
    planar.coordinates = Coordinates::EastingNorthing;
    let mut gaussian = AccessSettings::default();
    gaussian.catchment.decay = super::Decay::Gaussian;
    vec![
        BenchCase {
            name: "county-33000x3000-planar",
            spec: planar,
            settings: AccessSettings {
                metric: Metric::Planar { circuity: 1.0 },
                ..AccessSettings::default()
            },
        },
        BenchCase {
            name: "county-33000x3000-gaussian",
            spec: SynthSpec::new(Extent::County, 33_000, 3_000),
            settings: gaussian,
        },
    ]
}

/// Generates the case's problem, then computes access `runs` times (at least once).
pub fn bench_case(case: &BenchCase, runs: usize) -> Result<BenchReport, AccessError> {
    let problem = synth(&case.spec);
    let mut seconds = Vec::with_capacity(runs.max(1));
    let mut pairs_in_reach = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let result = compute_access_parallel(&problem, &case.settings)?;
        seconds.push(start.elapsed().as_secs_f64());
        pairs_in_reach = result.pairs_in_reach();
    }
    seconds.sort_by(f64::total_cmp);
    let median_seconds = median(&seconds);
    Ok(BenchReport {
        case: case.name.to_string(),
        demand_sites: problem.demand.len(),
        services: problem.services.len(),
        threads: rayon::current_num_threads(),
        runs: seconds.len(),
        pairs_in_reach,
        median_seconds,
        fastest_seconds: seconds[0],
        pairs_per_second: if median_seconds > 0.0 {
            pairs_in_reach as f64 / median_seconds
        } else {
            0.0
        },
        peak_memory_bytes: peak_memory_bytes(),
    })
}

/// Median of sorted, non-empty values.
fn median(sorted: &[f64]) -> f64 {
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    }
}

/// Starts the process's peak resident memory afresh from what it holds now (Linux: writing
/// 5 to /proc/self/clear_refs), so that [`peak_memory_bytes`] then gives the peak of what
/// follows. Returns false where that is not possible (the peak then stays the process's).
pub fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory (VmHWM in /proc/self/status), bytes.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm_in_bytes() {
        let status = "Name:\tgapmap\nVmPeak:\t  20000 kB\nVmHWM:\t    1536 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(1536 * 1024));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
    }

    #[test]
    fn smallest_case_runs() {
        let report = bench_case(&standard_cases()[0], 1).unwrap();
        assert_eq!((report.demand_sites, report.services), (400, 70));
        assert!(report.pairs_in_reach > 0);
    }
}
