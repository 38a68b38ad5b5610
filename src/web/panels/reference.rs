//! The reference results in the page: the committed `docs/reproduce/results.json` (the last
//! `reproduce` run) shipped with it, one figure per finding drawn at load, before any training,
//! marked as the reference (its seeds, scale and where it ran); a visitor's runs of the same
//! grid are drawn over it, each point said to fall inside its band or not.

use std::sync::OnceLock;

use leptos::prelude::*;

use crate::presets::reference::{Comparison, Reference, References};
use crate::presets::{PRESETS, Preset};
use crate::render::svg::Series;
use crate::sweep::report::chart_series;
use crate::sweep::{SweepResult, SweepRun, SweepSpec};
use crate::verdict::Outcome;
use crate::web::charts::LineChart;
use crate::web::state::RunView;

/// The reference runs, as the page ships them.
const RESULTS: &str = include_str!("../../../docs/reproduce/results.json");

/// The shipped reference, read once (`None` if it does not read: then no figures).
pub fn references() -> Option<&'static References> {
    static REFERENCES: OnceLock<Option<References>> = OnceLock::new();
    REFERENCES
        .get_or_init(|| References::parse(RESULTS).ok())
        .as_ref()
}

/// The reference of a visitor's sweep: its preset's, where the grid and the metric are the
/// reference's.
pub fn reference_for(spec: &SweepSpec) -> Option<Reference<'static>> {
    references()?
        .for_sweep(spec)
        .filter(|r| r.spec.effect == spec.effect)
}

/// The effect chart of a sweep: the reference with the visitor's runs over it where there is
/// one, else the visitor's runs; a preset's published numbers beside its own sweep.
pub fn effect_series(
    spec: &SweepSpec,
    runs: Option<&SweepRun>,
    published: Option<&'static Preset>,
) -> Vec<Series> {
    series_over(reference_for(spec).as_ref(), spec, runs, published)
}

/// `effect_series` with the reference given: a finding's own figure draws from its own runs.
fn series_over(
    reference: Option<&Reference>,
    spec: &SweepSpec,
    runs: Option<&SweepRun>,
    published: Option<&'static Preset>,
) -> Vec<Series> {
    let visitor = runs.map(|r| (&r.spec, &r.results[..]));
    let mut series = match (reference, visitor) {
        (Some(reference), visitor) => reference.figure(visitor),
        (None, Some((spec, results))) => chart_series(&spec.effect_lines(results)),
        (None, None) => Vec::new(),
    };
    if let Some(p) = published.filter(|p| p.matches(spec)) {
        series.extend(chart_series(&p.reference_lines()));
    }
    series
}

/// "Reference: `reproduce --scale small`, natively on cpu (2 threads, x86_64 linux), 3 seeds
/// per point; band: mean ± 2 sd."
pub fn reference_caption(r: &Reference) -> String {
    format!(
        "Reference: {}, {} seeds per point; the band is its mean ± 2 sd over them.",
        r.about(),
        r.spec.seeds
    )
}

/// The reference's own verdict, in words.
pub fn reference_verdict(r: &Reference) -> String {
    match r.report.verdict.outcome {
        Outcome::Holds => "In the reference the finding holds.".into(),
        Outcome::NotShown => "In the reference the finding is not shown at this scale.".into(),
    }
}

/// A visitor's finished runs of `run`'s grid held against `r`.
pub fn comparison(r: &Reference, run: &SweepRun) -> Option<Comparison> {
    (!run.results.is_empty()).then(|| r.compare(&run.spec, &run.base, &run.results))
}

/// The comparison's paragraph and one line per point.
pub fn comparison_view(r: &Reference, c: &Comparison, id: String) -> impl IntoView + use<> {
    let items = c
        .checks
        .iter()
        .map(|p| {
            let class = if p.inside { "inside" } else { "outside" };
            view! { <li class=class>{p.sentence()}</li> }
        })
        .collect_view();
    view! {
        <div class="comparison" id=id>
            <p>{c.headline(r)}</p>
            <ul>{items}</ul>
        </div>
    }
}

/// A stable `&'static` id per preset for its figure's SVG (the chart's exports use it).
fn figure_id(p: &Preset) -> &'static str {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    let ids = IDS.get_or_init(|| {
        PRESETS
            .iter()
            .map(|p| format!("chart-ref-{}", p.name))
            .collect()
    });
    let i = PRESETS.iter().position(|q| q.name == p.name).unwrap_or(0);
    &ids[i]
}

/// A finding's reference figure for its article: the chart, how it was made, its verdict and,
/// once the visitor has run this finding's grid, their points over it and how they compare.
#[component]
pub fn ReferenceFigure(
    /// The finding.
    preset: &'static Preset,
) -> impl IntoView {
    let sweeps = expect_context::<RunView>().sweep_run;
    let Some(r) = references().and_then(|refs| refs.get(preset.name)) else {
        return view! { <p class="hint">"No reference runs of this finding ship with this page yet."</p> }
            .into_any();
    };
    let name = preset.name;
    // Captures only copies, so each closure below can have its own.
    let visitor = move || -> Option<SweepRun> {
        let r = references()?.get(name)?;
        sweeps.with(|s| {
            s.as_ref()
                .filter(|s| s.spec.axes == r.spec.axes && s.spec.effect == r.spec.effect)
                .cloned()
        })
    };
    // Drawn from this finding's own reference (not looked up again by grid), so a figure is
    // never empty while its reference reads.
    let series = Signal::derive(move || {
        let Some(r) = references().and_then(|refs| refs.get(name)) else {
            return Vec::new();
        };
        series_over(Some(&r), &r.spec, visitor().as_ref(), Some(preset))
    });
    let spec = r.spec.clone();
    let axes = Signal::derive(move || spec.chart_axes());
    let compared = move || {
        let run = visitor()?;
        let r = references()?.get(name)?;
        let c = comparison(&r, &run)?;
        Some(comparison_view(&r, &c, format!("ref-compare-{name}")))
    };
    let visitor_results = move || {
        visitor()
            .map_or(0, |s: SweepRun| s.results.len())
            .to_string()
    };
    view! {
        <div class="reference" id=format!("ref-{name}") data-visitor-runs=visitor_results>
            <LineChart id=figure_id(preset) title="Effect: the reference, and your runs over it"
                caption="Solid lines with bands: the reference; ringed dots: your runs of this finding (press Run this); dashed = chance, dotted = the untrained encoder."
                series=series axes=axes />
            <p class="caption">{reference_caption(&r)}</p>
            <p class="verdict" id=format!("ref-verdict-{name}")>
                <strong>{reference_verdict(&r)}</strong>" "{r.report.verdict.evidence.clone()}
            </p>
            {compared}
        </div>
    }
    .into_any()
}

/// The first value of a one-seed sweep without a reference, in words: each line from its first
/// point to its last.
pub fn measured_summary(spec: &SweepSpec, results: &[SweepResult]) -> String {
    let values = &spec.axes[0].values;
    let xs = spec.x_positions();
    let at = |x: f32| {
        let i = xs.iter().position(|v| *v == x).unwrap_or(0);
        format!("{}={}", spec.axes[0].key, values[i])
    };
    spec.effect_lines(results)
        .iter()
        .filter(|l| l.kind == crate::sweep::report::LineKind::Measured)
        .filter_map(|l| {
            let (first, last) = (l.points.first()?, l.points.last()?);
            Some(format!(
                "{}: {:.3} at {} → {:.3} at {}",
                l.name,
                first.1.mean,
                at(first.0),
                last.1.mean,
                at(last.0)
            ))
        })
        .collect::<Vec<_>>()
        .join("; ")
}
