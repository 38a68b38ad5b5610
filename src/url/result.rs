//! A run's result carried in its link, so that whoever opens the link can tell whether their
//! run reproduced it: `result=1,cpu,81dbd8549e955a67,contrastive:0.934,digit:0.812` — the key's
//! version, the backend that ran it, the dataset's fingerprint, then the contrastive accuracy
//! and each feature's final (offline) probe, to three decimals.
//!
//! A rerun on the CPU must give the same numbers to those three decimals: CPU runs are
//! deterministic. Where either run was on a GPU the numbers may differ by up to
//! [`GPU_TOLERANCE`] (GPU sums are not bit-exact, and a run's small differences grow).

use std::fmt;

use crate::record::{BackendKind, FinalMetrics, RunRecord};
use crate::verdict::MIN_MARGIN;

/// The version of the `result=` key this build writes and reads.
pub const RESULT_VERSION: &str = "1";

/// How far a number may move when either run was on a GPU: the smallest effect a finding may
/// claim, so a difference within it cannot turn a verdict.
pub const GPU_TOLERANCE: f32 = MIN_MARGIN;

/// The numbers a link expects its run to produce.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedResult {
    pub backend: BackendKind,
    pub fingerprint: String,
    pub contrastive: f32,
    /// Final offline probe accuracy per feature, in the record's order.
    pub probes: Vec<(String, f32)>,
}

/// Three decimals, as written in the link.
fn rounded(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

impl ExpectedResult {
    /// What `record` (a finished run) shows.
    pub fn of(record: &RunRecord) -> Self {
        let backend = BackendKind::from_name(&record.backend).unwrap_or(BackendKind::Cpu);
        Self::from_metrics(backend, &record.fingerprint, &record.final_metrics)
    }

    /// What a run on `backend` with these final metrics shows.
    pub fn from_metrics(backend: BackendKind, fingerprint: &str, f: &FinalMetrics) -> Self {
        Self {
            backend,
            fingerprint: fingerprint.to_string(),
            contrastive: rounded(f.contrastive_acc),
            probes: f
                .probes
                .iter()
                .map(|(name, p)| (name.clone(), rounded(p.offline_test_acc)))
                .collect(),
        }
    }

    /// Reads a `result=` value; `Err` says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.trim().split(',');
        match parts.next() {
            Some(RESULT_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "version {v:?}; this build reads result version {RESULT_VERSION} (expected 1,BACKEND,FINGERPRINT,contrastive:X,FEATURE:X,...)"
                ));
            }
            None => return Err("empty".into()),
        }
        let backend = parts.next().unwrap_or_default();
        let backend = BackendKind::from_name(backend)
            .ok_or_else(|| format!("backend {backend:?}: expected cpu or wgpu"))?;
        let fingerprint = parts.next().unwrap_or_default().to_string();
        if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "fingerprint {fingerprint:?}: expected 16 hex digits"
            ));
        }
        let (mut contrastive, mut probes) = (None, Vec::<(String, f32)>::new());
        for pair in parts {
            let (name, value) = pair
                .split_once(':')
                .ok_or_else(|| format!("{pair:?}: expected NAME:NUMBER"))?;
            let value: f32 = value
                .parse()
                .ok()
                .filter(|v: &f32| (0.0..=1.0).contains(v))
                .ok_or_else(|| format!("{pair:?}: expected a number from 0 to 1"))?;
            if name == "contrastive" && contrastive.is_none() {
                contrastive = Some(value);
            } else if probes.iter().any(|(n, _)| n == name) || name == "contrastive" {
                return Err(format!("{name} given twice"));
            } else {
                probes.push((name.to_string(), value));
            }
        }
        let contrastive = contrastive.ok_or("no contrastive:NUMBER")?;
        if probes.is_empty() {
            return Err("no probe number (FEATURE:NUMBER)".into());
        }
        Ok(Self {
            backend,
            fingerprint,
            contrastive,
            probes,
        })
    }

    /// How a finished run compares with this.
    pub fn compare(&self, record: &RunRecord) -> Comparison {
        let got = ExpectedResult::of(record);
        let f = &record.final_metrics;
        let mut numbers = vec![Compared {
            name: "contrastive".into(),
            expected: self.contrastive,
            got: Some(f.contrastive_acc),
        }];
        numbers.extend(self.probes.iter().map(|(name, v)| Compared {
            name: name.clone(),
            expected: *v,
            got: f.probes.get(name).map(|p| p.offline_test_acc),
        }));
        Comparison {
            backends: (self.backend, got.backend),
            fingerprints: (self.fingerprint.clone(), got.fingerprint),
            numbers,
        }
    }
}

impl fmt::Display for ExpectedResult {
    /// The `result=` value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{RESULT_VERSION},{},{},contrastive:{:.3}",
            self.backend.name(),
            self.fingerprint,
            self.contrastive
        )?;
        for (name, v) in &self.probes {
            write!(f, ",{name}:{v:.3}")?;
        }
        Ok(())
    }
}

/// One number: what the link expects and what the run gave (`None`: the run has no such
/// feature).
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    pub name: String,
    pub expected: f32,
    pub got: Option<f32>,
}

/// A run held against a link's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// (the link's, the run's)
    pub backends: (BackendKind, BackendKind),
    pub fingerprints: (String, String),
    pub numbers: Vec<Compared>,
}

impl Comparison {
    /// Whether both runs were on the CPU, where numbers must agree to the decimals written.
    pub fn exact(&self) -> bool {
        self.backends == (BackendKind::Cpu, BackendKind::Cpu)
    }

    /// The tolerance, in words.
    pub fn tolerance(&self) -> String {
        match self.exact() {
            true => "the same to 3 decimals: CPU runs are deterministic".into(),
            false => format!(
                "within {GPU_TOLERANCE} each: a GPU is not bit-exact (link made on {}, run on {})",
                self.backends.0.name(),
                self.backends.1.name()
            ),
        }
    }

    /// Whether a number is within the tolerance.
    pub fn agrees(&self, n: &Compared) -> bool {
        match (n.got, self.exact()) {
            (None, _) => false,
            (Some(g), true) => (g * 1000.0).round() == (n.expected * 1000.0).round(),
            (Some(g), false) => (g - n.expected).abs() <= GPU_TOLERANCE + 1e-6,
        }
    }

    pub fn same_data(&self) -> bool {
        self.fingerprints.0 == self.fingerprints.1
    }

    pub fn reproduced(&self) -> bool {
        self.same_data() && self.numbers.iter().all(|n| self.agrees(n))
    }

    /// Each difference: "digit: expected 0.812, got 0.790", or the data's.
    pub fn differences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.same_data() {
            out.push(format!(
                "dataset fingerprint: expected {}, got {}",
                self.fingerprints.0, self.fingerprints.1
            ));
        }
        for n in self.numbers.iter().filter(|n| !self.agrees(n)) {
            out.push(match n.got {
                Some(g) => format!("{}: expected {:.3}, got {g:.3}", n.name, n.expected),
                None => format!(
                    "{}: expected {:.3}, the run has no {}",
                    n.name, n.expected, n.name
                ),
            });
        }
        out
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reproduced() {
            write!(
                f,
                "reproduced: the same dataset and {} numbers, {}",
                self.numbers.len(),
                self.tolerance()
            )
        } else {
            write!(
                f,
                "different ({}): {}",
                self.tolerance(),
                self.differences().join("; ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FinalMetrics, FinalProbe};

    fn record(digit: f32, contrastive: f32) -> RunRecord {
        let mut r = RunRecord::new("v=2".into(), "81dbd8549e955a67".into(), "cpu".into());
        r.final_metrics = FinalMetrics {
            contrastive_acc: contrastive,
            probes: [(
                "digit".to_string(),
                FinalProbe {
                    offline_test_acc: digit,
                    ..FinalProbe::default()
                },
            )]
            .into(),
            ..FinalMetrics::default()
        };
        r
    }

    #[test]
    fn a_result_round_trips_through_its_text() {
        let e = ExpectedResult::of(&record(0.81249, 0.93441));
        assert_eq!(
            e.to_string(),
            "1,cpu,81dbd8549e955a67,contrastive:0.934,digit:0.812"
        );
        assert_eq!(ExpectedResult::parse(&e.to_string()).unwrap(), e);
    }

    #[test]
    fn a_cpu_rerun_must_agree_to_three_decimals_a_gpu_one_within_the_tolerance() {
        let e = ExpectedResult::of(&record(0.812, 0.934));
        let same = e.compare(&record(0.8121, 0.934));
        assert!(same.reproduced(), "{same}");
        assert!(same.to_string().starts_with("reproduced"), "{same}");
        let off = e.compare(&record(0.815, 0.934));
        assert!(!off.reproduced());
        assert_eq!(off.differences(), ["digit: expected 0.812, got 0.815"]);
        let mut gpu = record(0.84, 0.95);
        gpu.backend = "wgpu".into();
        assert!(e.compare(&gpu).reproduced(), "{}", e.compare(&gpu));
        gpu.final_metrics
            .probes
            .get_mut("digit")
            .unwrap()
            .offline_test_acc = 0.9;
        assert!(
            e.compare(&gpu)
                .to_string()
                .contains("digit: expected 0.812, got 0.900")
        );
        let mut other_data = record(0.812, 0.934);
        other_data.fingerprint = "0000000000000000".into();
        assert!(!e.compare(&other_data).reproduced());
    }

    #[test]
    fn a_malformed_result_says_what_is_wrong() {
        for (text, needle) in [
            ("", "version"),
            (
                "2,cpu,81dbd8549e955a67,contrastive:0.9,digit:0.8",
                "version \"2\"",
            ),
            (
                "1,tpu,81dbd8549e955a67,contrastive:0.9,digit:0.8",
                "backend \"tpu\"",
            ),
            ("1,cpu,81db,contrastive:0.9,digit:0.8", "16 hex digits"),
            (
                "1,cpu,81dbd8549e955a67,contrastive:0.9,digit:1.8",
                "from 0 to 1",
            ),
            (
                "1,cpu,81dbd8549e955a67,contrastive:0.9,digit",
                "NAME:NUMBER",
            ),
            ("1,cpu,81dbd8549e955a67,digit:0.8", "no contrastive"),
            ("1,cpu,81dbd8549e955a67,contrastive:0.9", "no probe"),
            (
                "1,cpu,81dbd8549e955a67,contrastive:0.9,digit:0.8,digit:0.7",
                "twice",
            ),
        ] {
            let e = ExpectedResult::parse(text).unwrap_err();
            assert!(e.contains(needle), "{text:?}: {e}");
        }
    }
}
