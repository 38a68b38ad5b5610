//! Links that carry their result and models saved to a file, run as a user would: the real
//! binary, real files. A link with a result reproduces on the CPU and says so; one number
//! changed says "different" and names it; a saved model loads back and evaluates to the run's
//! probes; a truncated or foreign file is refused with a message.

// Native only: these drive the CLI.
#![cfg(not(target_family = "wasm"))]

use std::path::PathBuf;
use std::process::Command;

const TINY: &str = "data=digits&train_size=64&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&steps=4&eval_every=1&checkpoints=1";

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_contrastive-playground"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpg-links-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// Trains `config`; returns the link with result it printed.
fn train(config: &str, extra: &[&str]) -> String {
    let mut args = vec!["train", "--quiet", "--config", config];
    args.extend(extra);
    let (ok, out, err) = cli(&args);
    assert!(ok, "{err}");
    out.lines()
        .find_map(|l| l.strip_prefix("link with result: "))
        .unwrap_or_else(|| panic!("no link with result in {out}"))
        .to_string()
}

#[test]
fn a_link_with_its_result_reproduces_and_a_changed_number_is_named() {
    let link = train(TINY, &[]);
    assert!(
        link.starts_with("?v=3&") && link.contains("&result=1,cpu,"),
        "{link}"
    );
    let (ok, out, err) = cli(&["reproduce-link", "--quiet", &link]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("reproduced") && out.contains("3 decimals"),
        "{out}"
    );

    // The digit probe's number changed: different, naming it, side by side.
    let (head, digit) = link.rsplit_once("digit:").unwrap();
    let v: f32 = digit.parse().unwrap();
    let changed = format!(
        "{head}digit:{:.3}",
        if v >= 0.5 { v - 0.25 } else { v + 0.25 }
    );
    let (ok, out, err) = cli(&["reproduce-link", "--quiet", &changed]);
    assert!(!ok, "{out}");
    assert!(
        err.contains("different") && err.contains("digit: expected"),
        "{err}"
    );
    assert!(
        out.contains("digit") && out.contains("different"),
        "side by side: {out}"
    );

    // A malformed result key is named; a link without one says what is missing.
    let bad = format!(
        "{}&result=1,cpu,nothex",
        link.split("&result=").next().unwrap()
    );
    let (ok, _, err) = cli(&["reproduce-link", &bad]);
    assert!(
        !ok && err.contains("result=") && err.contains("16 hex digits"),
        "{err}"
    );
    let (ok, _, err) = cli(&["reproduce-link", &format!("?{TINY}")]);
    assert!(!ok && err.contains("carries no result"), "{err}");
}

#[test]
fn reproduce_writes_a_link_per_finding_that_reproduces() {
    let dir = temp("report");
    let (ok, _, err) = cli(&[
        "reproduce",
        "--scale",
        "tiny",
        "--seeds",
        "2",
        "--quiet",
        "--only",
        "colour-shape",
        "--out",
        path(&dir),
    ]);
    assert!(ok, "{err}");
    let links = std::fs::read_to_string(dir.join("links.txt")).unwrap();
    let (name, link) = links.lines().next().unwrap().split_once('\t').unwrap();
    assert_eq!(name, "colour-shape");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains(link), "the report names the link: {md}");
    let (ok, out, err) = cli(&["reproduce-link", "--quiet", link]);
    assert!(ok && out.contains("reproduced"), "{out}{err}");
}

#[test]
fn a_saved_model_evaluates_to_the_runs_probes_and_trains_on() {
    let (model, run, eval) = (temp("m.safetensors"), temp("run.json"), temp("eval.json"));
    train(TINY, &["--save-model", path(&model), "--out", path(&run)]);
    let (ok, out, err) = cli(&["evaluate", "--model", path(&model), "--out", path(&eval)]);
    assert!(ok, "{err}");
    assert!(out.contains("digit"), "{out}");
    let read = |p: &PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (run, eval) = (read(&run), read(&eval));
    assert_eq!(run["fingerprint"], eval["fingerprint"]);
    for key in [
        "online_test_acc",
        "offline_test_acc",
        "knn_acc",
        "chance",
        "offline_at_init",
    ] {
        let at = |v: &serde_json::Value| {
            format!(
                "{:.3}",
                v["final"]["probes"]["digit"][key].as_f64().unwrap()
            )
        };
        assert_eq!(at(&run), at(&eval), "{key}");
    }
    // The file's link is the run's, with its result.
    let bytes = std::fs::read(&model).unwrap();
    let text = String::from_utf8_lossy(&bytes[..2000.min(bytes.len())]).to_string();
    assert!(
        text.contains("contrastive-playground-model") && text.contains("result=1,cpu"),
        "{text}"
    );

    // Training goes on from it, and a network of another size is refused, naming a tensor.
    let (ok, out, err) = cli(&[
        "train",
        "--quiet",
        "--config",
        TINY,
        "--init-from",
        path(&model),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("started from"), "{out}");
    let wider = TINY.replace("&width=0.25", "&width=0.5");
    let (ok, _, err) = cli(&[
        "train",
        "--quiet",
        "--config",
        &wider,
        "--init-from",
        path(&model),
    ]);
    assert!(
        !ok && err.contains("does not fit") && err.contains("encoder."),
        "{err}"
    );
}

#[test]
fn a_randbit_encoder_probes_plain_digits_and_both_convolutions_read_the_file_alike() {
    let model = temp("randbit.safetensors");
    let randbit = TINY.replace("data=digits", "data=randbit&bits=3");
    train(&randbit, &["--save-model", path(&model)]);
    let (ok, out, err) = cli(&[
        "evaluate",
        "--model",
        path(&model),
        "--config",
        "data=digits",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains("data=digits") || out.contains("digit"),
        "{out}{err}"
    );
    // The batch-level GEMM and burn's Conv2d read the same file to the same representations.
    let reps = |conv: &str| -> Vec<f64> {
        let out = temp(&format!("reps-{conv}.json"));
        let (ok, _, err) = cli(&[
            "evaluate",
            "--model",
            path(&model),
            "--config",
            &format!("conv={conv}"),
            "--representations",
            path(&out),
        ]);
        assert!(ok, "{err}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        v["representations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (gemm, burn) = (reps("gemm"), reps("burn"));
    assert_eq!(gemm.len(), burn.len());
    let worst = gemm
        .iter()
        .zip(&burn)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-3, "representations differ by {worst}");
}

#[test]
fn a_truncated_or_foreign_model_file_is_refused_with_a_message() {
    let model = temp("whole.safetensors");
    train(TINY, &["--save-model", path(&model)]);
    let bytes = std::fs::read(&model).unwrap();
    let cut = temp("cut.safetensors");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (ok, _, err) = cli(&["evaluate", "--model", path(&cut)]);
    assert!(
        !ok && err.contains("cut.safetensors") && err.contains("truncated"),
        "{err}"
    );
    // Another program's safetensors: well formed, not ours.
    let header = br#"{"weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
    let mut foreign = (header.len() as u64).to_le_bytes().to_vec();
    foreign.extend(header);
    foreign.extend([0u8; 8]);
    let other = temp("other.safetensors");
    std::fs::write(&other, foreign).unwrap();
    let (ok, _, err) = cli(&[
        "train",
        "--quiet",
        "--config",
        TINY,
        "--init-from",
        path(&other),
    ]);
    assert!(
        !ok && err.contains("not a Contrastive Playground model"),
        "{err}"
    );
    let png = temp("picture.safetensors");
    std::fs::write(&png, [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 13]).unwrap();
    let (ok, _, err) = cli(&["evaluate", "--model", path(&png)]);
    assert!(!ok && err.contains("not a safetensors file"), "{err}");
}

#[test]
fn shards_of_another_grid_are_refused_naming_the_difference() {
    let shard = |config: &str, vary: &str, name: &str| {
        let json = temp(name);
        let (ok, _, err) = cli(&[
            "sweep",
            "--quiet",
            "--config",
            config,
            "--vary",
            vary,
            "--shard",
            "1/2",
            "--json",
            path(&json),
        ]);
        assert!(ok, "{err}");
        json
    };
    let a = shard(TINY, "seed=0,1", "a.json");
    let b = shard(&TINY.replace("steps=4", "steps=3"), "seed=0,1", "b.json");
    let (ok, _, err) = cli(&["merge", "--out", path(&temp("ab.csv")), path(&a), path(&b)]);
    assert!(
        !ok && err.contains("another sweep") && err.contains("steps=3 (not 4)"),
        "{err}"
    );
}
