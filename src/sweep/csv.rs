//! A sweep's runs as CSV: one row per run with its axis values, seed, link, fingerprint and
//! every final metric.

use super::report::features_of;
use super::{SweepResult, SweepSpec};

impl SweepSpec {
    /// One CSV row per run: the axis values, the seed, the link, the fingerprint, then every
    /// final metric (per feature: online, offline, kNN, chance, offline and kNN at init).
    pub fn csv(&self, results: &[SweepResult]) -> String {
        let mut out = csv_header(self, results);
        for r in results {
            out.push_str(&csv_row(r, &features_of(results)));
        }
        out
    }
}

/// The CSV's header line (with its newline).
pub fn csv_header(spec: &SweepSpec, results: &[SweepResult]) -> String {
    let mut header: Vec<String> = spec.axes.iter().map(|a| a.key.clone()).collect();
    header.extend(
        [
            "seed",
            "config",
            "fingerprint",
            "contrastive_acc",
            "alignment",
            "uniformity",
            "ari",
            "ari_at_init",
            "ari_pixels",
            "ari_parts",
            "failed",
        ]
        .map(String::from),
    );
    for f in features_of(results) {
        header.extend(
            [
                "online_test_acc",
                "offline_test_acc",
                "knn_acc",
                "chance",
                "offline_at_init",
                "knn_at_init",
            ]
            .map(|m| format!("{f}.{m}")),
        );
    }
    header.join(",") + "\n"
}

/// One run's CSV line (with its newline), its features in `features`' order.
pub fn csv_row(r: &SweepResult, features: &[String]) -> String {
    let m = &r.metrics;
    let mut cells = r.values.clone();
    cells.push(r.seed.to_string());
    cells.push(format!("\"{}\"", r.config));
    cells.push(r.fingerprint.clone());
    cells.extend([m.contrastive_acc, m.alignment, m.uniformity].map(|v| format!("{v:.4}")));
    for v in [m.ari, m.ari_at_init, m.ari_pixels, m.ari_parts] {
        cells.push(v.map_or(String::new(), |v| format!("{v:.4}")));
    }
    cells.push(r.failed.as_ref().map_or(String::new(), |why| {
        format!("\"{}\"", why.replace('"', "'"))
    }));
    for name in features {
        match m.probes.get(name) {
            Some(p) => cells.extend(
                [
                    p.online_test_acc,
                    p.offline_test_acc,
                    p.knn_acc,
                    p.chance,
                    p.offline_at_init,
                    p.knn_at_init,
                ]
                .map(|v| format!("{v:.4}")),
            ),
            None => cells.extend(std::iter::repeat_n(String::new(), 6)),
        }
    }
    cells.join(",") + "\n"
}
