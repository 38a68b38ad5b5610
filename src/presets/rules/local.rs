//! Findings on local features: the blocks' clusters follow the objects, early blocks their
//! parts.

use super::{Runs, check};
use crate::sweep::{SweepResult, SweepSpec};
use crate::verdict::{Effect, MIN_MARGIN, Verdict};

/// At the sweep's texture point (or every point, for a sweep over something else), the
/// trained encoder's foreground ARI beats the same encoder untrained and K-means on the raw
/// pixels. Colour scenes are shown beside them, not judged: their raw colours already
/// segment.
pub fn local_features(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let texture: Vec<&String> = runs
        .xs()
        .iter()
        .filter(|x| x.as_str() == "texture")
        .collect();
    let judged = match spec.axes[0].key.as_str() {
        "fill" if !texture.is_empty() => texture,
        _ => runs.xs().iter().collect(),
    };
    let mut checks = Vec::new();
    for x in judged {
        let at = [x.as_str()];
        let trained = runs.stat(&at, |m| m.ari);
        checks.push(check(
            format!("{x}: trained ARI above the same encoder at initialisation"),
            Effect::rise(runs.stat(&at, |m| m.ari_at_init), trained, MIN_MARGIN)
                .paired(runs.change(&at, |m| m.ari_at_init, |m| m.ari)),
        ));
        checks.push(check(
            format!("{x}: trained ARI above K-means on the raw pixels"),
            Effect::rise(runs.stat(&at, |m| m.ari_pixels), trained, MIN_MARGIN)
                .paired(runs.change(&at, |m| m.ari_pixels, |m| m.ari)),
        ));
    }
    Verdict::from_checks("", &checks)
}

/// Hierarchy: the first block's clusters follow the finer grouping (the parts) more, relative
/// to the objects, than the last block's do, beyond what the untrained encoder's blocks already
/// show, once the last block has learned to group objects at all. The sweep's points are the
/// same training read at two blocks, so each seed's two blocks and its untrained encoder's are
/// judged together (paired).
pub fn local_hierarchy(spec: &SweepSpec, results: &[SweepResult]) -> Verdict {
    let runs = Runs::new(spec, results);
    let (early, late) = ([runs.first(0)], [runs.last(0)]);
    // How much more a block's clusters match the parts than the whole objects.
    let finer = |at: &[&str], init: bool| {
        runs.stat(at, |m| match init {
            false => Some(m.ari_parts? - m.ari?),
            true => Some(m.ari_parts_at_init? - m.ari_at_init?),
        })
    };
    let checks = [
        check(
            format!(
                "gate: block {} groups objects (ARI, init → trained)",
                late[0]
            ),
            Effect::rise(
                runs.stat(&late, |m| m.ari_at_init),
                runs.stat(&late, |m| m.ari),
                MIN_MARGIN,
            )
            .paired(runs.change(&late, |m| m.ari_at_init, |m| m.ari)),
        ),
        check(
            format!(
                "block {} follows parts more than block {} (ARI vs parts minus ARI vs objects)",
                early[0], late[0]
            ),
            Effect::rise(finer(&late, false), finer(&early, false), MIN_MARGIN),
        ),
        check(
            "the hierarchy is training's: that difference exceeds the untrained encoder's",
            Effect::rise(
                finer(&early, true).minus(finer(&late, true)),
                finer(&early, false).minus(finer(&late, false)),
                MIN_MARGIN,
            )
            .paired(runs.across(&early, &late, |e, l| {
                let trained = (e.ari_parts? - e.ari?) - (l.ari_parts? - l.ari?);
                let init = (e.ari_parts_at_init? - e.ari_at_init?)
                    - (l.ari_parts_at_init? - l.ari_at_init?);
                Some(trained - init)
            })),
        ),
    ];
    Verdict::from_checks("", &checks)
}
