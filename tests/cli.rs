//! The README's commands, run as a user would: the real binary, real files.

// Native only: these drive the CLI, threads or a native GPU device.
#![cfg(not(target_family = "wasm"))]

use std::process::Command;

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

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cpg-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn dataset_prints_the_fingerprint_and_writes_a_png_grid() {
    let png = temp("grid.png");
    let (ok, out, err) = cli(&[
        "dataset",
        "--config",
        "http://localhost:8080/?v=2&data=randbit&bits=6&train_size=100&test_size=40",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let fp = out
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint: "))
        .expect("fingerprint line");
    assert_eq!(fp.len(), 16);
    assert!(out.contains("class balance (digit)"));
    let img = image::open(&png).expect("a PNG");
    assert!(img.width() > 300 && img.height() > 100);
    // The same link gives the same fingerprint; another seed another.
    let (_, again, _) = cli(&[
        "dataset",
        "--config",
        "?data=randbit&bits=6&train_size=100&test_size=40",
    ]);
    assert!(again.contains(&format!("fingerprint: {fp}")));
    let (_, other, _) = cli(&[
        "dataset",
        "--config",
        "?data=randbit&bits=6&train_size=100&test_size=40&seed=9",
    ]);
    assert!(!other.contains(&format!("fingerprint: {fp}")));
}

#[test]
fn a_bad_config_prints_each_problem_and_fails() {
    let (ok, _, err) = cli(&["dataset", "--config", "?bits=99&tau=abc&colour=red"]);
    assert!(!ok);
    for needle in [
        "bits=\"99\": out of range 0..=20",
        "tau=\"abc\": not a number",
        "colour=\"red\": unknown parameter",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
}

#[test]
fn bring_your_own_mnist_files_as_the_randbit_base() {
    // A small MNIST pair in IDX format, written here; labels i % 10.
    let n = 60u32;
    let mut images = vec![0, 0, 8, 3];
    for d in [n, 28, 28] {
        images.extend(d.to_be_bytes());
    }
    for i in 0..n {
        images.extend((0..784).map(|p| ((p as u32 * 7 + i * 13) % 256) as u8));
    }
    let mut labels = vec![0, 0, 8, 1];
    labels.extend(n.to_be_bytes());
    labels.extend((0..n).map(|i| (i % 10) as u8));
    let (img_path, lbl_path) = (temp("t-images-idx3-ubyte"), temp("t-labels-idx1-ubyte"));
    std::fs::write(&img_path, &images).unwrap();
    std::fs::write(&lbl_path, &labels).unwrap();
    let (ok, out, err) = cli(&[
        "dataset",
        "--config",
        "data=randbit&base=file&bits=3",
        "--data-file",
        img_path.to_str().unwrap(),
        "--data-file",
        lbl_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("MNIST"), "{out}");
    assert!(out.contains("1x28x28 + 3 bit plane(s)"), "{out}");
    // A truncated file is refused with a message naming it.
    std::fs::write(&img_path, &images[..1000]).unwrap();
    let (ok, _, err) = cli(&[
        "dataset",
        "--config",
        "data=randbit&base=file",
        "--data-file",
        img_path.to_str().unwrap(),
        "--data-file",
        lbl_path.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("t-images-idx3-ubyte") && err.contains("truncated"),
        "{err}"
    );
    // base=file without a file says what is missing.
    let (ok, _, err) = cli(&["dataset", "--config", "data=randbit&base=file"]);
    assert!(!ok && err.contains("needs a data file"), "{err}");
}

#[test]
fn train_writes_run_json_in_the_documented_shape() {
    let out_path = temp("run.json");
    let (ok, out, err) = cli(&[
        "train",
        "--quiet",
        "--config",
        "data=digits&train_size=128&test_size=32&batch=16&width=0.25&head_width=16&out_dim=8&steps=4&eval_every=2&checkpoints=1",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("chance"), "{out}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    assert!(run["config"].as_str().unwrap().starts_with("v=3"));
    assert_eq!(run["fingerprint"].as_str().unwrap().len(), 16);
    assert_eq!(run["backend"], "cpu");
    let h = &run["history"][0];
    for key in ["step", "loss", "alignment", "distribution"] {
        assert!(h[key].is_number(), "history lacks {key}");
    }
    let p = &run["final"]["probes"]["digit"];
    for key in ["online_test_acc", "offline_test_acc", "knn_acc", "chance"] {
        let v = p[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} = {v}");
    }
    assert!(run["final"]["contrastive_acc"].is_number());
}

#[test]
fn sweep_writes_one_csv_row_per_grid_point() {
    let csv = temp("sweep.csv");
    let (ok, out, err) = cli(&[
        "sweep",
        "--config",
        "data=randbit&train_size=128&test_size=32&batch=16&width=0.25&head_width=16&out_dim=8&steps=2&eval_every=1&checkpoints=1",
        "--vary",
        "bits=0,3",
        "--vary",
        "tau=0.1,0.2",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("linear-probe test accuracy (offline)"),
        "{out}"
    );
    assert!(
        out.contains(
            "| bits | digit tau=0.1 | digit tau=0.1 at init | digit tau=0.2 | digit tau=0.2 at init | digit chance |"
        ),
        "{out}"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 1 + 4);
    assert!(text.lines().next().unwrap().starts_with("bits,tau,"));
    let (ok, _, err) = cli(&["sweep", "--vary", "bits=0,50"]);
    assert!(!ok && err.contains("bits=50"), "{err}");
}

#[test]
fn a_preset_sweep_reproduces_from_its_link() {
    let (csv, svg) = (temp("preset.csv"), temp("preset.svg"));
    let (ok, out, err) = cli(&[
        "sweep",
        "--preset",
        "colour-shape",
        "--scale",
        "tiny",
        "--quiet",
        "--out",
        csv.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains(
            "| colour_jitter | colour | colour at init | colour chance | shape | shape at init | shape chance |"
        ),
        "{out}"
    );
    let link = err
        .lines()
        .find_map(|l| l.strip_prefix("sweep 2 runs: "))
        .expect("the sweep's link")
        .to_string();
    assert!(link.contains("sweep=colour_jitter:0,0.8"), "{link}");
    let chart = std::fs::read_to_string(&svg).unwrap();
    // A filled marker at each measured point, a hollow one at each point at initialisation.
    assert!(
        chart.starts_with("<svg") && chart.matches("<circle").count() == 8,
        "{chart}"
    );
    // The printed link alone runs the same grid with the same results.
    let again = temp("again.csv");
    let (ok, _, err) = cli(&[
        "sweep",
        "--config",
        &link,
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
    let (ok, _, err) = cli(&["sweep", "--preset", "nope"]);
    assert!(
        !ok && err.contains("no such preset") && err.contains("randbit"),
        "{err}"
    );
    let (ok, _, err) = cli(&["train", "--preset", "randbit", "--config", "bits=40"]);
    assert!(!ok && err.contains("bits"), "{err}");
}

#[test]
fn reproduce_writes_a_report_folder() {
    let dir = temp("report");
    let (ok, out, err) = cli(&[
        "reproduce",
        "--scale",
        "tiny",
        "--quiet",
        "--only",
        "colour-shape",
        "--only",
        "your-data",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    // Three seeds per point by default.
    assert!(out.contains("1 findings, 6 runs"), "{out}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.contains("## Colour vs shape") && md.contains("![colour-shape](colour-shape.svg)"),
        "{md}"
    );
    assert!(
        md.contains("your-data | skipped: needs `--data-file`"),
        "{md}"
    );
    // One verdict per finding, with its numbers, whichever way it went.
    let verdicts = md
        .lines()
        .filter(|l| {
            l.starts_with("**Verdict: holds.**")
                || l.starts_with("**Verdict: not shown at this scale.**")
        })
        .count();
    assert_eq!(verdicts, 1, "{md}");
    assert!(md.contains(" ± "), "points are mean ± sd: {md}");
    assert!(dir.join("colour-shape.svg").exists() && dir.join("colour-shape.csv").exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let colour = &json["presets"][0];
    assert_eq!(colour["results"].as_array().unwrap().len(), 6);
    assert!(colour["verdict"]["evidence"].is_string());
    assert_eq!(json["skipped"][0], "your-data");
    let (ok, list, _) = cli(&["reproduce", "--list"]);
    assert!(
        ok && list.contains("loss-head") && list.contains("sweep="),
        "{list}"
    );
    let (ok, _, err) = cli(&["reproduce", "--only", "figure-9"]);
    assert!(!ok && err.contains("no such preset"), "{err}");
}

#[test]
fn an_interrupted_sweep_keeps_the_runs_it_finished() {
    let csv = temp("interrupted.csv");
    let _ = std::fs::remove_file(&csv);
    let mut child = Command::new(env!("CARGO_BIN_EXE_contrastive-playground"))
        .args([
            "sweep",
            "--quiet",
            "--config",
            "data=randbit&train_size=256&test_size=32&batch=32&width=0.25&head_width=16&out_dim=8&steps=40&eval_every=10&checkpoints=1",
            "--vary",
            "bits=0,1,2,3,4",
            "--out",
            csv.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rows = |text: &str| text.lines().count().saturating_sub(1);
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(&csv).unwrap_or_default();
        if rows(&text) >= 2 {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 120,
            "no rows after 2 minutes: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // as Ctrl-C or a crash would
    let _ = child.wait();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(rows(&text) >= 2 && rows(&text) < 5, "{text}");
    let columns = text.lines().next().unwrap().split(',').count();
    for line in text.lines().skip(1) {
        assert!(line.starts_with(|c: char| c.is_ascii_digit()), "{line}");
        assert!(
            line.split(',').count() >= columns,
            "a half-written row: {line}"
        );
    }
}

#[test]
fn runs_trained_at_once_give_what_one_at_a_time_gives() {
    let config = "data=randbit&train_size=64&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&steps=3&eval_every=1&checkpoints=1";
    let sweep = |jobs: &str| {
        let (json, csv) = (
            temp(&format!("jobs{jobs}.json")),
            temp(&format!("jobs{jobs}.csv")),
        );
        let args = [
            "sweep",
            "--quiet",
            "--config",
            config,
            "--vary",
            "bits=0,3,6",
            "--vary",
            "tau=0.1,0.5",
            "--jobs",
            jobs,
            "--json",
            json.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ];
        let (ok, _, err) = cli(&args);
        assert!(ok, "{err}");
        (
            std::fs::read_to_string(json).unwrap(),
            std::fs::read_to_string(csv).unwrap(),
        )
    };
    let one = sweep("1");
    assert_eq!(one.1.lines().count(), 1 + 6, "{}", one.1);
    assert_eq!(sweep("4"), one);
    let (ok, _, err) = cli(&["sweep", "--vary", "bits=0,1", "--jobs", "0"]);
    assert!(!ok && err.contains("--jobs must be at least 1"), "{err}");
}

#[test]
fn shards_and_preset_folders_merge_into_what_one_run_writes() {
    let config = "data=randbit&train_size=64&test_size=32&batch=8&width=0.25&head_width=16&out_dim=8&steps=2&eval_every=1&checkpoints=1";
    let sweep = |extra: &[&str], json: &std::path::Path, csv: &std::path::Path| {
        let mut args = vec![
            "sweep",
            "--quiet",
            "--config",
            config,
            "--vary",
            "bits=0,2,4",
            "--seeds",
            "2",
            "--json",
            json.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
        ];
        args.extend(extra);
        let (ok, _, err) = cli(&args);
        assert!(ok, "{err}");
    };
    let (whole_json, whole_csv) = (temp("whole.json"), temp("whole.csv"));
    sweep(&[], &whole_json, &whole_csv);
    let shard_files: Vec<std::path::PathBuf> = (1..=3)
        .map(|k| {
            let (json, csv) = (
                temp(&format!("shard{k}.json")),
                temp(&format!("shard{k}.csv")),
            );
            sweep(&["--shard", &format!("{k}/3")], &json, &csv);
            json
        })
        .collect();
    let (merged_json, merged_csv) = (temp("merged.json"), temp("merged.csv"));
    let mut args = vec!["merge", "--out", merged_csv.to_str().unwrap(), "--json"];
    args.push(merged_json.to_str().unwrap());
    args.extend(shard_files.iter().map(|p| p.to_str().unwrap()));
    let (ok, out, err) = cli(&args);
    assert!(ok && out.contains("6 runs merged"), "{err}");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    assert_eq!(read(&merged_csv), read(&whole_csv));
    assert_eq!(read(&merged_json), read(&whole_json));
    // A shard left out is named.
    let (ok, _, err) = cli(&[
        "merge",
        "--out",
        temp("partial.csv").to_str().unwrap(),
        shard_files[0].to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("missing"), "{err}");

    // The same for a whole report folder.
    let reproduce = |preset: &str, dir: &std::path::Path, shard: Option<&str>| {
        let mut args = vec![
            "reproduce",
            "--scale",
            "tiny",
            "--seeds",
            "2",
            "--quiet",
            "--only",
            preset,
            "--out",
            dir.to_str().unwrap(),
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let (ok, _, err) = cli(&args);
        assert!(ok, "{err}");
    };
    let whole = temp("report-whole");
    reproduce("colour-shape", &whole, None);
    let dirs: Vec<std::path::PathBuf> = (1..=3)
        .map(|k| {
            let d = temp(&format!("report-shard{k}"));
            reproduce("colour-shape", &d, Some(&format!("{k}/3")));
            d
        })
        .collect();
    let merged = temp("report-merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    let (ok, _, err) = cli(&args);
    assert!(ok, "{err}");
    for file in [
        "report.md",
        "results.json",
        "colour-shape.csv",
        "colour-shape.svg",
    ] {
        assert_eq!(
            read(&merged.join(file)),
            read(&whole.join(file)),
            "{file} differs"
        );
    }

    // Folders of different presets (`--only`) merge into one report in the presets' order.
    let other = temp("report-other");
    reproduce("multidigits", &other, None);
    let both = temp("report-both");
    let (ok, _, err) = cli(&[
        "merge",
        "--out",
        both.to_str().unwrap(),
        whole.to_str().unwrap(),
        other.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let report = read(&both.join("report.md"));
    let (md, cs) = (
        report.find("](#multidigits)").expect("multidigits listed"),
        report
            .find("](#colour-shape)")
            .expect("colour-shape listed"),
    );
    assert!(md < cs, "presets out of order:\n{report}");
    for (file, from) in [("colour-shape.csv", &whole), ("multidigits.csv", &other)] {
        assert_eq!(read(&both.join(file)), read(&from.join(file)), "{file}");
    }
}

#[test]
fn a_link_trains_to_the_same_record_on_one_two_and_three_threads() {
    // The next batch is assembled alongside the step, the products are cut by the thread
    // count, and the training thread is one of the pool's: none of it may change a number.
    let config =
        "data=digits&batch=48&train_size=240&test_size=48&steps=12&eval_every=4&checkpoints=3";
    let record = |threads: &str| {
        let out = temp(&format!("threads-{threads}.json"));
        let status = Command::new(env!("CARGO_BIN_EXE_contrastive-playground"))
            .args(["train", "--quiet", "--config", config, "--out"])
            .arg(&out)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("binary runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        // Timings are the only thing that may differ.
        json.as_object_mut().unwrap().remove("throughput");
        json
    };
    let one = record("1");
    assert!(one["history"].as_array().is_some_and(|h| !h.is_empty()));
    for threads in ["2", "3"] {
        assert!(record(threads) == one, "{threads} threads: another record");
    }
}
