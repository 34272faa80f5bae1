//! The `maru` command line, run as a user would.

use std::process::Command;

fn maru(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_maru"))
        .args(args)
        .env("MARU_DATA_DIR", data_dir)
        .env("MARU_LOG", "warn")
        .current_dir(data_dir)
        .output()
        .unwrap()
}

fn example(name: &str) -> String {
    format!("{}/../../docs/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn ration_solve_prints_json_for_the_documented_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = maru(
        &[
            "ration",
            "solve",
            &example("broiler-starter.json"),
            "--json",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["status"], "optimal");
    let total: f64 = result["solution"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert!(
        result["binding"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["label"] == "nutrient CP")
    );
}

#[test]
fn ration_solve_names_the_place_of_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let text = std::fs::read_to_string(example("broiler-starter.json"))
        .unwrap()
        .replacen("\"dm\": 88", "\"dm\": -1", 1);
    std::fs::write(&bad, text).unwrap();
    let out = maru(&["ration", "solve", bad.to_str().unwrap()], dir.path());
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("ingredients[0].dm"), "{message}");
}

#[test]
fn migrate_and_demo_prepare_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    assert!(maru(&["migrate"], dir.path()).status.success());
    let demo = maru(&["demo"], dir.path());
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let printed = String::from_utf8_lossy(&demo.stdout);
    assert!(
        printed.contains("demo accounts") && printed.contains("demo data loaded: ration"),
        "{printed}"
    );
    assert!(dir.path().join("maru.db").exists());
    // The command folded its write-ahead log into the database before it exited.
    assert!(
        !dir.path().join("maru.db-wal").exists(),
        "demo left its log behind"
    );
    let again = maru(&["demo"], dir.path());
    assert!(
        again.status.success(),
        "demo data loads twice without error"
    );
    let version = maru(&["version"], dir.path());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("maru "));
}
