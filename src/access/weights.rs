//! Distance-decay weights as functions of a pair's key (see [`super::metric`]), so the hot
//! loops place a pair in its zone by comparing keys. Step zones compare against key limits
//! equivalent to the inclusive distance bounds; the Gaussian converts the key to a distance.

use super::metric::Scale;
use super::settings::{gaussian_weight, Catchment, Decay};

/// W as a function of a pair's key.
pub(crate) trait Kernel: Sync {
    fn weight(&self, key: f64) -> f64;
}

/// Step weights: the first zone whose key limit the key does not exceed.
pub(crate) struct StepKernel {
    limits: Vec<f64>,
    weights: Vec<f64>,
}

impl Kernel for StepKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        // Innermost zone last, as selects rather than branches: zones are unpredictable.
        let mut weight = 0.0;
        for (limit, zone_weight) in self.limits.iter().zip(&self.weights).rev() {
            weight = if key <= *limit { *zone_weight } else { weight };
        }
        weight
    }
}

/// Up to [`FEW_ZONES`] step zones in a fixed-size array, so the zone lookup unrolls into
/// selects. Unused zones have limit -1 (no key is below it).
pub(crate) struct FewZonesKernel {
    limits: [f64; FEW_ZONES],
    weights: [f64; FEW_ZONES],
}

pub(crate) const FEW_ZONES: usize = 4;

impl Kernel for FewZonesKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        let mut weight = 0.0;
        for zone in (0..FEW_ZONES).rev() {
            weight = if key <= self.limits[zone] {
                self.weights[zone]
            } else {
                weight
            };
        }
        weight
    }
}

/// Dai's Gaussian with the catchment radius as bandwidth.
pub(crate) struct GaussianKernel {
    scale: Scale,
    radius: f64,
    /// Key limit of the radius: beyond it W = 0, without the cost of a distance.
    reach_key: f64,
}

impl Kernel for GaussianKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        if key > self.reach_key {
            return 0.0;
        }
        gaussian_weight(self.scale.distance(key), self.radius)
    }
}

/// A step decay within reach written as nested disks: for any pair in reach, its weight
/// is the sum of the coefficients of the disks that hold it (`key <= limit`). So a sum of
/// weighted values over the pairs in reach is sum_k coefficient_k x (the plain sum over
/// disk k), and each plain sum is a disk sum ([`super::disk`]). Limits ascend; the last is
/// the reach, and its disk's plain sum is also the flat (2SFCA) sum.
///
/// Coefficients are the steps down between zones, all >= 0 for a decay that never rises,
/// so the sums take no differences and keep their relative accuracy.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct NestedDisks {
    pub limits: Vec<f64>,
    pub coefficients: Vec<f64>,
}

impl NestedDisks {
    /// Zones (key limits ascending, weights) cut at `reach`; `None` when a zone weighs more
    /// than the zone inside it (its coefficient would be negative).
    fn of(limits: &[f64], weights: &[f64], reach: f64) -> Option<NestedDisks> {
        let mut disks = NestedDisks::default();
        for (k, (&limit, &weight)) in limits.iter().zip(weights).enumerate() {
            if limit >= reach {
                disks.limits.push(reach);
                disks.coefficients.push(weight);
                return Some(disks);
            }
            let next = weights.get(k + 1).copied().unwrap_or(0.0);
            if next > weight {
                return None;
            }
            disks.limits.push(limit);
            disks.coefficients.push(weight - next);
        }
        disks.limits.push(reach);
        disks.coefficients.push(0.0);
        Some(disks)
    }
}

/// The kernel a catchment asks for.
pub(crate) enum WeightKernel {
    FewZones(FewZonesKernel),
    Step(StepKernel),
    Gaussian(GaussianKernel),
}

impl WeightKernel {
    /// The kernel as [`NestedDisks`] within `reach` (a key limit); `None` for the Gaussian,
    /// whose weight varies within any disk, and for steps that rise with distance.
    pub(crate) fn nested_disks(&self, reach: f64) -> Option<NestedDisks> {
        match self {
            WeightKernel::FewZones(kernel) => {
                let used = kernel.limits.iter().take_while(|&&l| l >= 0.0).count();
                NestedDisks::of(&kernel.limits[..used], &kernel.weights[..used], reach)
            }
            WeightKernel::Step(kernel) => NestedDisks::of(&kernel.limits, &kernel.weights, reach),
            WeightKernel::Gaussian(_) => None,
        }
    }

    pub(crate) fn new(catchment: &Catchment, scale: Scale) -> Self {
        match &catchment.decay {
            Decay::Step { zones } if zones.len() <= FEW_ZONES => {
                let mut kernel = FewZonesKernel {
                    limits: [-1.0; FEW_ZONES],
                    weights: [0.0; FEW_ZONES],
                };
                for (k, zone) in zones.iter().enumerate() {
                    kernel.limits[k] = scale.key_limit(zone.upper);
                    kernel.weights[k] = zone.weight;
                }
                WeightKernel::FewZones(kernel)
            }
            Decay::Step { zones } => WeightKernel::Step(StepKernel {
                limits: zones
                    .iter()
                    .map(|zone| scale.key_limit(zone.upper))
                    .collect(),
                weights: zones.iter().map(|zone| zone.weight).collect(),
            }),
            Decay::Gaussian => WeightKernel::Gaussian(GaussianKernel {
                scale,
                radius: catchment.radius,
                reach_key: scale.key_limit(catchment.radius),
            }),
        }
    }
}
