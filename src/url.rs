//! The URL codec: an experiment as a short, versioned query string.
//!
//! A link is the config's canonical text ([`encode`], from the parameter table) plus what only
//! a link carries: the sweep (`sweep=`, `seeds=`, `effect=`), the hidden knobs (`hide=`) and
//! the result its run should reproduce (`result=`, see [`result`]).
//! `decode` reads a full URL, a `?query`, a `#hash` or a bare query; every problem is reported
//! with its key, value and reason, and the key keeps its default. It never panics and never
//! clamps: a value is used exactly as written or not at all. An older link keeps the defaults of
//! its time (`CHANGED_DEFAULTS`).

use crate::budget;
use crate::params::query::{percent_decode, percent_encode};
use crate::params::{ExperimentConfig, PARAMS};
use crate::sweep::{Metric, SweepSpec};
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod result;

pub use crate::params::query::{FORMAT_VERSION, encode};
use result::ExpectedResult;

/// Defaults that changed, as (the version that changed it, key, the value before): a link of
/// an older version gets the value of its time unless it names the key, so it runs as it did
/// when it was made.
const CHANGED_DEFAULTS: &[(u32, &str, &str)] = &[(2, "conv", "burn"), (3, "recon", "every_value")];

/// One parameter of a URL that was not used as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamWarning {
    pub key: String,
    pub value: String,
    pub reason: String,
    /// What is used instead (the default), as URL text; empty when nothing is used.
    pub used: String,
}

impl fmt::Display for ParamWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() && self.key == "budget" {
            write!(f, "{}: {}", self.key, self.reason)?;
        } else {
            write!(f, "{}={:?}: {}", self.key, self.value, self.reason)?;
        }
        if !self.used.is_empty() {
            write!(f, "; using {}", self.used)?;
        }
        Ok(())
    }
}

/// The outcome of decoding: always a usable config, plus what was wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub config: ExperimentConfig,
    pub warnings: Vec<ParamWarning>,
    /// The link's sweep (`sweep=bits:0,5;tau:0.1,0.5&effect=offline`), if it has a valid one.
    pub sweep: Option<SweepSpec>,
    /// Knobs the link hides from the page's controls (`hide=bits,tau`).
    pub hide: Vec<String>,
    /// The result the link's run should reproduce (`result=`), if it carries a valid one.
    pub result: Option<ExpectedResult>,
}

/// `link` with the result its run should reproduce.
pub fn with_result(link: &str, result: &ExpectedResult) -> String {
    format!("{link}&result={}", percent_encode(&result.to_string()))
}

/// The page's whole link: the config, the sweep, and the hidden knobs.
pub fn encode_link(
    config: &ExperimentConfig,
    sweep: Option<&SweepSpec>,
    hide: &[String],
) -> String {
    let mut out = encode_with_sweep(config, sweep);
    if !hide.is_empty() {
        out.push_str("&hide=");
        out.push_str(&percent_encode(&hide.join(",")));
    }
    out
}

/// `encode(config)` plus the sweep, so a link reproduces the whole grid.
pub fn encode_with_sweep(config: &ExperimentConfig, sweep: Option<&SweepSpec>) -> String {
    let mut out = encode(config);
    if let Some(s) = sweep {
        out.push_str("&sweep=");
        out.push_str(&percent_encode(&s.to_string()));
        if s.seeds > 1 {
            out.push_str(&format!("&seeds={}", s.seeds));
        }
        if s.effect != Metric::Offline {
            out.push_str("&effect=");
            out.push_str(s.effect.as_str());
        }
    }
    out
}

/// Reads a config from a full URL, `?query`, `#hash` or bare `key=value&...` text.
pub fn decode(text: &str) -> Decoded {
    decode_onto(ExperimentConfig::default(), text)
}

/// Like [`decode`], with the knobs the text does not mention taken from `base` (a preset).
pub fn decode_onto(base: ExperimentConfig, text: &str) -> Decoded {
    let mut d = decode_unchecked(base.clone(), text);
    if let Err(over) = budget::check(&d.config) {
        // Refused: the knobs that make it too big go back to their base values (a preset's, or
        // the defaults), so nothing that size is ever generated.
        let mut used = Vec::new();
        for key in &over.knobs {
            if budget::check(&d.config).is_ok() {
                break;
            }
            let value = base.get(key).expect("budget knobs are table keys");
            d.config.set(key, &value).expect("base values are valid");
            used.push(format!("{key}={value}"));
        }
        if budget::check(&d.config).is_err() {
            d.config = base;
            used = vec!["the defaults".into()];
        }
        d.warnings.push(ParamWarning {
            key: "budget".into(),
            value: String::new(),
            reason: over.to_string(),
            used: used.join(", "),
        });
    }
    d
}

/// Like [`decode_onto`] without the memory budget (the CLI's `--force`).
pub fn decode_unchecked(base: ExperimentConfig, text: &str) -> Decoded {
    let mut link = LinkReader::new(base);
    for pair in query_part(text).split('&').filter(|s| !s.trim().is_empty()) {
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        link.read(percent_decode(raw_key.trim()), percent_decode(raw_value));
    }
    link.finish()
}

/// A link being read, pair by pair: the config so far, what was wrong, and what only a link
/// carries.
struct LinkReader {
    config: ExperimentConfig,
    warnings: Vec<ParamWarning>,
    /// The `sweep=` pair, parsed at the end, once `effect=` and `seeds=` are known.
    sweep_text: Option<(String, String)>,
    effect: Metric,
    seeds: usize,
    hide: Vec<String>,
    result: Option<ExpectedResult>,
    seen: Vec<String>,
    /// Knobs set to an older version's default (see [`CHANGED_DEFAULTS`]).
    old_defaults: Vec<&'static str>,
}

impl LinkReader {
    fn new(base: ExperimentConfig) -> Self {
        Self {
            config: base,
            warnings: Vec::new(),
            sweep_text: None,
            effect: Metric::Offline,
            seeds: 1,
            hide: Vec::new(),
            result: None,
            seen: Vec::new(),
            old_defaults: Vec::new(),
        }
    }

    fn warn(&mut self, key: &str, value: &str, reason: String, used: String) {
        self.warnings.push(ParamWarning {
            key: key.to_string(),
            value: value.to_string(),
            reason,
            used,
        })
    }

    /// One `key=value` pair: the link's own keys first, then the table's knobs.
    fn read(&mut self, key: String, value: String) {
        if self.seen.contains(&key) {
            let reason = "given more than once; the first is used".into();
            return self.warn(&key, &value, reason, String::new());
        }
        self.seen.push(key.clone());
        match key.as_str() {
            "v" => self.version(&key, &value),
            "sweep" => self.sweep_text = Some((key, value)),
            "hide" => self.hide(&key, &value),
            "result" => match ExpectedResult::parse(&value) {
                Ok(r) => self.result = Some(r),
                Err(e) => self.warn(
                    &key,
                    &value,
                    format!("{e}; no result to compare"),
                    String::new(),
                ),
            },
            "seeds" => match SweepSpec::parse_seeds(&value) {
                Ok(n) => self.seeds = n,
                Err(e) => self.warn(&key, &value, e.to_string(), "1".into()),
            },
            "effect" => match Metric::parse(&value) {
                Ok(e) => self.effect = e,
                Err(e) => self.warn(&key, &value, e.to_string(), Metric::Offline.as_str().into()),
            },
            _ => self.knob(&key, &value),
        }
    }

    fn version(&mut self, key: &str, value: &str) {
        match value.trim().parse::<u32>() {
            Ok(v) if (1..=FORMAT_VERSION).contains(&v) => {
                for (changed, k, old) in CHANGED_DEFAULTS {
                    if v < *changed && !self.seen.iter().any(|s| s == k) {
                        self.config.set(k, old).expect("earlier defaults are valid");
                        self.old_defaults.push(k);
                    }
                }
            }
            _ => {
                let reason = format!("unknown format version; read as v{FORMAT_VERSION}");
                self.warn(key, value, reason, String::new())
            }
        }
    }

    fn hide(&mut self, key: &str, value: &str) {
        let (known, unknown): (Vec<&str>, Vec<&str>) = value
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .partition(|k| PARAMS.iter().any(|p| p.key == *k));
        self.hide.extend(known.into_iter().map(String::from));
        if !unknown.is_empty() {
            let reason = format!("no such knob to hide: {}", unknown.join(", "));
            self.warn(key, value, reason, String::new());
        }
    }

    fn knob(&mut self, key: &str, value: &str) {
        let default = ExperimentConfig::default().get(key);
        if let Err(e) = self.config.set(key, value) {
            match default {
                Some(d) => self.warn(key, value, e.reason, d),
                None => self.warn(
                    key,
                    value,
                    "unknown parameter; ignored".into(),
                    String::new(),
                ),
            }
        }
    }

    fn finish(mut self) -> Decoded {
        // An old default of a knob this config does not use changes nothing: today's default
        // keeps the link's text short. (A key the link names later is in `seen`, not here.)
        let today = ExperimentConfig::default();
        for key in std::mem::take(&mut self.old_defaults) {
            if !self.config.uses(key) && !self.seen.iter().any(|s| s == key) {
                let value = today.get(key).expect("table key");
                self.config.set(key, &value).expect("defaults are valid");
            }
        }
        let sweep = self.sweep_text.take().and_then(|(key, value)| {
            match SweepSpec::parse(&value, self.effect).and_then(|s| s.with_seeds(self.seeds)) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.warn(&key, &value, format!("{e}; no sweep"), String::new());
                    None
                }
            }
        });
        Decoded {
            config: self.config,
            warnings: self.warnings,
            sweep,
            hide: self.hide,
            result: self.result,
        }
    }
}

/// The `key=value&...` part of whatever the user pasted. A full URL may carry the settings in
/// its query, its hash, or both (then both are read, query first).
fn query_part(text: &str) -> String {
    let text = text.trim();
    let (before_hash, hash) = match text.split_once('#') {
        Some((a, b)) => (a, b),
        None => (text, ""),
    };
    let query = match before_hash.split_once('?') {
        Some((_, q)) => q,
        // No '?': a bare query unless it looks like an address (scheme or path).
        None if before_hash.contains("://") || before_hash.starts_with('/') => "",
        None => before_hash,
    };
    let hash = hash.trim_start_matches(['?', '/']);
    match (query.is_empty(), hash.is_empty()) {
        (_, true) => query.to_string(),
        (true, false) => hash.to_string(),
        (false, false) => format!("{query}&{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_link_keeps_the_defaults_of_its_time() {
        use crate::params::ConvKind;
        // Version 1 computed convolutions with burn's Conv2d by default.
        let old = decode("v=1&bits=7");
        assert!(old.warnings.is_empty(), "{:?}", old.warnings);
        assert_eq!((old.config.conv, old.config.bits), (ConvKind::Burn, 7));
        // Re-encoded, the link says so explicitly.
        assert_eq!(encode(&old.config), "v=3&bits=7&conv=burn");
        // A key the old link names is used as written, before or after `v`.
        assert_eq!(decode("v=1&conv=gemm").config.conv, ConvKind::Gemm);
        assert_eq!(decode("conv=gemm&v=1").config.conv, ConvKind::Gemm);
        // Later versions, and a bare query, take the convolution's default of today.
        assert_eq!(decode("v=2&bits=7").config.conv, ConvKind::Auto);
        assert_eq!(decode("v=3&bits=7").config.conv, ConvKind::Auto);
        assert_eq!(decode("bits=7").config.conv, ConvKind::Auto);
        // Version 2's autoencoder weighed every input value alike; where the old default changes
        // nothing (no autoencoder), today's is kept.
        use crate::params::ReconWeights;
        let ae = decode("v=2&objective=autoencoder&bits=10");
        assert_eq!(ae.config.recon, ReconWeights::EveryValue);
        assert_eq!(
            decode("v=3&objective=autoencoder").config.recon,
            ReconWeights::Balanced
        );
        assert_eq!(decode("v=2&bits=10").config.recon, ReconWeights::Balanced);
        assert_eq!(encode(&decode("v=2&bits=10").config), "v=3&bits=10");
        // An unknown version is read as this one, with a warning.
        let future = decode("v=9");
        assert_eq!(future.config.conv, ConvKind::Auto);
        assert_eq!(future.warnings.len(), 1);
    }

    #[test]
    fn a_sweep_travels_in_the_link() {
        let c = ExperimentConfig {
            steps: 40,
            ..ExperimentConfig::default()
        };
        let s = SweepSpec::parse("bits:0,5,10;tau:0.05,0.5", Metric::Knn).unwrap();
        let link = encode_with_sweep(&c, Some(&s));
        assert_eq!(
            link,
            "v=3&steps=40&sweep=bits:0,5,10;tau:0.05,0.5&effect=knn"
        );
        let d = decode(&format!("https://x.org/?{link}"));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!((d.config, d.sweep), (c.clone(), Some(s)));
        // Percent-encoded by a browser or a chat client: the same sweep.
        let d = decode("v=2&sweep=bits%3A0%2C5&effect=contrastive");
        assert_eq!(d.sweep.unwrap().to_string(), "bits:0,5");
        assert_eq!(encode_with_sweep(&c, None), encode(&c));
    }

    #[test]
    fn a_link_over_the_memory_budget_is_refused_and_names_the_knobs() {
        let d = decode("data=scenes&canvas=128&train_size=100000");
        let w = d
            .warnings
            .iter()
            .find(|w| w.key == "budget")
            .expect("a budget warning");
        assert!(
            w.reason.contains("train_size") && w.reason.contains("canvas"),
            "{w}"
        );
        assert!(crate::budget::check(&d.config).is_ok());
        assert_eq!(
            d.config.data,
            crate::params::DataKind::Scenes,
            "the rest of the link stays"
        );
        // Without the check (the CLI's --force) it is taken as written.
        let forced = decode_unchecked(
            ExperimentConfig::default(),
            "data=scenes&canvas=128&train_size=100000",
        );
        assert!(forced.warnings.is_empty() && forced.config.train_size == 100000);
    }

    #[test]
    fn hidden_knobs_travel_in_the_link() {
        let hide = vec!["bits".to_string(), "tau".to_string()];
        let link = encode_link(&ExperimentConfig::default(), None, &hide);
        assert_eq!(link, "v=3&hide=bits,tau");
        let d = decode(&link);
        assert_eq!(d.hide, hide);
        let d = decode("hide=bits,nope");
        assert_eq!(d.hide, ["bits"]);
        assert_eq!(d.warnings[0].key, "hide");
        assert!(d.warnings[0].reason.contains("nope"), "{}", d.warnings[0]);
    }

    #[test]
    fn seeds_travel_with_the_sweep() {
        let s = SweepSpec::parse("bits:0,5", Metric::Offline)
            .unwrap()
            .with_seeds(3)
            .unwrap();
        let link = encode_with_sweep(&ExperimentConfig::default(), Some(&s));
        assert_eq!(link, "v=3&sweep=bits:0,5&seeds=3");
        assert_eq!(decode(&link).sweep, Some(s));
        let d = decode("v=2&sweep=bits:0,5&seeds=99");
        assert_eq!(d.sweep.unwrap().seeds, 1);
        assert_eq!(d.warnings[0].key, "seeds");
    }

    #[test]
    fn a_bad_sweep_is_named_and_the_rest_still_loads() {
        let d = decode("v=2&bits=7&sweep=bits:0,99&effect=best");
        assert_eq!(d.config.bits, 7);
        assert_eq!(d.sweep, None);
        let keys: Vec<&str> = d.warnings.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["effect", "sweep"]);
        assert!(
            d.warnings[1].reason.contains("bits=99"),
            "{}",
            d.warnings[1]
        );
    }

    #[test]
    fn a_result_travels_in_the_link_and_a_malformed_one_is_named() {
        let r =
            ExpectedResult::parse("1,cpu,81dbd8549e955a67,contrastive:0.934,digit:0.812").unwrap();
        let link = with_result("v=2&bits=3", &r);
        assert_eq!(
            link,
            "v=2&bits=3&result=1,cpu,81dbd8549e955a67,contrastive:0.934,digit:0.812"
        );
        let d = decode(&link);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!((d.config.bits, d.result), (3, Some(r)));
        let bad = decode("v=2&bits=3&result=1,cpu,zz");
        assert_eq!((bad.config.bits, bad.result.as_ref()), (3, None));
        assert_eq!(bad.warnings[0].key, "result");
        assert!(
            bad.warnings[0].to_string().contains("16 hex digits"),
            "{}",
            bad.warnings[0]
        );
    }

    #[test]
    fn decode_onto_keeps_the_base_where_the_text_is_silent() {
        let base = ExperimentConfig {
            bits: 12,
            tau: 0.5,
            ..ExperimentConfig::default()
        };
        let d = decode_onto(base, "steps=9&tau=0.1");
        assert_eq!((d.config.bits, d.config.tau, d.config.steps), (12, 0.1, 9));
    }
}
