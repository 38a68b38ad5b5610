//! Findings on features that compete in one image: a digit on objects, two digits, colour and
//! shape.

use super::{Runs, check, fall_beyond_init, learned};
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Effect, MIN_MARGIN, Verdict};

pub fn digit_on_objects(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (few, many) = (runs.first(0), runs.last(0));
    let c = |n: &str| vec![n.to_string(), "contrastive".to_string()];
    let s = |n: &str| vec![n.to_string(), "supervised".to_string()];
    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let (c_few, c_many, s_few, s_many) = (c(few), c(many), s(few), s(many));
    let object_drop = |a: &[String], b: &[String]| {
        runs.offline(&refs(a), "object")
            .minus(runs.offline(&refs(b), "object"))
    };
    let checks = [
        learned(&runs, &refs(&c_many), "digit"),
        check(
            format!("held-out digit rises from N={few} to N={many} (contrastive)"),
            Effect::rise(
                runs.offline(&refs(&c_few), "digit"),
                runs.offline(&refs(&c_many), "digit"),
                MIN_MARGIN,
            ),
        ),
        check(
            format!("object falls from N={few} to N={many} (contrastive)"),
            Effect::fall(
                runs.offline(&refs(&c_few), "object"),
                runs.offline(&refs(&c_many), "object"),
                MIN_MARGIN,
            ),
        ),
        check(
            "the object's fall is the contrastive loss's, not the data's: it exceeds the \
             supervised control's fall",
            Effect::rise(
                object_drop(&s_few, &s_many),
                object_drop(&c_few, &c_many),
                MIN_MARGIN,
            ),
        ),
        check(
            format!(
                "the supervised control is not hurt: its object does not fall from N={few} to N={many}"
            ),
            Effect::no_rise(
                runs.offline(&refs(&s_many), "object"),
                runs.offline(&refs(&s_few), "object"),
                MIN_MARGIN,
            ),
        ),
    ];
    Verdict::from_checks("", &checks)
}

pub fn multidigits(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (equal, large) = ([runs.first(0)], [runs.last(0)]);
    let checks = [
        learned(&runs, &equal, "fixed_digit"),
        check(
            format!(
                "fixed digit falls as the other grows ({} → {} of the canvas)",
                equal[0], large[0]
            ),
            Effect::fall(
                runs.probe(&equal, "fixed_digit"),
                runs.probe(&large, "fixed_digit"),
                MIN_MARGIN,
            ),
        ),
        fall_beyond_init(
            &runs,
            &equal,
            &large,
            "fixed_digit",
            &format!("{} to {} of the canvas", equal[0], large[0]),
        ),
        learned(&runs, &large, "varying_digit"),
    ];
    Verdict::from_checks("", &checks)
}

pub fn colour_shape(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (off, on) = ([runs.first(0)], [runs.last(0)]);
    let checks = [
        learned(&runs, &off, "colour"),
        check(
            format!(
                "shape suppressed without jitter ({}): below the untrained encoder's (offline)",
                off[0]
            ),
            Effect::fall(
                runs.at_init(&off, "shape"),
                runs.offline(&off, "shape"),
                MIN_MARGIN,
            )
            .paired(runs.training_adds(&off, "shape")),
        ),
        check(
            format!("shape rises with colour jitter ({} → {})", off[0], on[0]),
            Effect::rise(
                runs.probe(&off, "shape"),
                runs.probe(&on, "shape"),
                MIN_MARGIN,
            ),
        ),
        learned(&runs, &on, "shape"),
    ];
    Verdict::from_checks("", &checks)
}
