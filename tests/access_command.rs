//! `gapmap access` and `gapmap synth` on their own, checked against figures worked by hand.

mod common;

use common::{gapmap, read_csv, stderr};

/// Planar British National Grid metres along a line, so every distance is exact:
/// services S1 at 0 km (10 places) and S2 at 25 km (5 places); demand D1 at 5 km (weight 10),
/// D2 at 15 km (weight 20), D3 at 40 km (weight 5).
fn write_case(dir: &std::path::Path) {
    std::fs::write(
        dir.join("demand.csv"),
        "id,x,y,weight,need\nD1,405000,300000,10,pmld\nD2,415000,300000,20,pmld\nD3,440000,300000,5,pmld\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("services.csv"),
        "id,x,y,capacity,needs\nS1,400000,300000,10,pmld\nS2,425000,300000,5,pmld\n",
    )
    .expect("write");
}

fn close(a: &str, b: f64) -> bool {
    a.parse::<f64>().is_ok_and(|v| (v - b).abs() < 1e-6)
}

#[test]
fn access_command_matches_the_hand_worked_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(dir.path());
    let p = |n: &str| dir.path().join(n).to_str().expect("utf8").to_string();
    let o = gapmap(&[
        "access",
        "--demand",
        &p("demand.csv"),
        "--services",
        &p("services.csv"),
        "--out",
        &p("access.csv"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&dir.path().join("access.csv"));
    assert_eq!(rows.len(), 3);
    // Distances (km): D1-S1 5, D1-S2 20, D2-S1 15, D2-S2 10, D3-S1 40 (out), D3-S2 15.
    // Zones are inclusive: 20 km is in the 10-20 zone (0.68), 10 km in the 0-10 zone (1.00).
    // E2SFCA: R1 = 10 / (10*1 + 20*0.68) = 10/23.6; R2 = 5 / (10*0.68 + 20*1 + 5*0.68) = 5/30.2.
    let (r1, r2) = (10.0 / 23.6, 5.0 / 30.2);
    // 2SFCA (weight 1 within 30 km): R1 = 10/30, R2 = 5/35.
    let (f1, f2) = (10.0 / 30.0, 5.0 / 35.0);
    let expected = [
        ("D1", "S1", 5.0, "2", r1 + 0.68 * r2, f1 + f2),
        ("D2", "S2", 10.0, "2", 0.68 * r1 + r2, f1 + f2),
        ("D3", "S2", 15.0, "1", 0.68 * r2, f2),
    ];
    for (row, (id, nearest, km, in_reach, e2, two)) in rows.iter().zip(expected) {
        assert_eq!(row["demand_id"], id);
        assert_eq!(row["nearest_service"], nearest, "{id}");
        assert!(
            close(&row["nearest_distance"], km),
            "{id} {}",
            row["nearest_distance"]
        );
        assert_eq!(row["services_in_reach"], in_reach, "{id}");
        assert!(
            close(&row["accessibility_e2sfca"], e2),
            "{id} {} vs {e2}",
            row["accessibility_e2sfca"]
        );
        assert!(
            close(&row["accessibility_2sfca"], two),
            "{id} {} vs {two}",
            row["accessibility_2sfca"]
        );
    }
    // 2SFCA conserves capacity: sum of A_i * P_i = 10 + 5.
    let total: f64 = rows
        .iter()
        .zip([10.0, 20.0, 5.0])
        .map(|(r, w)| r["accessibility_2sfca"].parse::<f64>().expect("number") * w)
        .sum();
    assert!((total - 15.0).abs() < 1e-9, "{total}");
    // Parquet by extension.
    let o = gapmap(&[
        "access",
        "--demand",
        &p("demand.csv"),
        "--services",
        &p("services.csv"),
        "--out",
        &p("access.parquet"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(dir.path().join("access.parquet")).expect("parquet");
    assert_eq!(&bytes[..4], b"PAR1");
}

#[test]
fn access_command_names_a_bad_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(dir.path());
    std::fs::write(
        dir.path().join("services.csv"),
        "id,x,y,capacity,needs\nS1,400000,300000,ten,pmld\n",
    )
    .expect("write");
    let p = |n: &str| dir.path().join(n).to_str().expect("utf8").to_string();
    let o = gapmap(&[
        "access",
        "--demand",
        &p("demand.csv"),
        "--services",
        &p("services.csv"),
        "--out",
        &p("access.csv"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("services.csv") && err.contains("capacity") && err.contains("ten"),
        "{err}"
    );
    assert!(
        !dir.path().join("access.csv").exists(),
        "no output after an error"
    );
}

#[test]
fn synth_is_seeded_and_feeds_the_access_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| dir.path().join(n).to_str().expect("utf8").to_string();
    for out in ["a", "b"] {
        let o = gapmap(&[
            "synth",
            "--demand",
            "400",
            "--services",
            "70",
            "--seed",
            "3",
            "--out",
            &p(out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for file in ["demand.csv", "services.csv"] {
        let a = std::fs::read(dir.path().join("a").join(file)).expect("read");
        let b = std::fs::read(dir.path().join("b").join(file)).expect("read");
        assert_eq!(a, b, "{file} differs for the same seed");
    }
    assert_eq!(read_csv(&dir.path().join("a/demand.csv")).len(), 400);
    let o = gapmap(&[
        "access",
        "--demand",
        &p("a/demand.csv"),
        "--services",
        &p("a/services.csv"),
        "--out",
        &p("access.csv"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_csv(&dir.path().join("access.csv")).len(), 400);
}
