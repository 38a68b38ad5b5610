//! What a sweep shows, together where the eye is when it starts and when it ends: its status
//! (failed runs each re-runnable alone), what its runs say — the verdict over two or more
//! seeds, and for any number of seeds the comparison with the reference — the effect chart
//! (the reference under the visitor's runs), and the effect table.

use leptos::prelude::*;

use super::reference::{
    comparison, comparison_view, effect_series, measured_summary, reference_caption, reference_for,
    reference_verdict,
};
use crate::presets::Preset;
use crate::sweep::SweepRun;
use crate::web::charts::LineChart;
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::state::{LinkState, RunView};

/// Where a sweep is: the point running, or how it ended, with the points that failed.
fn sweep_status(r: &SweepRun) -> String {
    let (done, total) = (r.results.len(), r.points.len());
    let failed = r.results.iter().filter(|x| x.failed.is_some()).count();
    let failed = match failed {
        0 => String::new(),
        n => format!(" ({n} failed)"),
    };
    let shard = r.shard.map_or(String::new(), |s| format!(" of shard {s}"));
    match (&r.stopped, r.active, r.current()) {
        (Some(why), _, _) => {
            format!("sweep stopped after {done} of {total} runs{shard}: {why}{failed}")
        }
        (None, true, Some(p)) if r.redo.is_some() => {
            format!(
                "sweep: re-running {} seed {}",
                r.spec.label(&p.values),
                p.config.seed
            )
        }
        (None, true, Some(p)) => format!(
            "sweep run {} of {total}{shard}: {}{failed}",
            done + 1,
            r.spec.label(&p.values)
        ),
        _ => format!("sweep finished: {done} of {total} runs{shard}{failed}"),
    }
}

/// The sweep's whole result, scrolled into view when a sweep starts and when it ends.
#[component]
pub fn SweepResult() -> impl IntoView {
    let run = expect_context::<RunView>().sweep_run;
    let was_active = StoredValue::new(false);
    Effect::new(move |_| {
        let (active, n) = run.with(|r| {
            r.as_ref()
                .map_or((false, 0), |r| (r.active, r.results.len()))
        });
        let before = was_active.get_value();
        was_active.set_value(active);
        if active != before && ((active && n == 0) || (!active && n > 0)) {
            dom::scroll_to("sweep-result");
        }
    });
    view! {
        <div id="sweep-result">
            <SweepProgress />
            <EffectChart />
            <EffectTable />
        </div>
    }
}

/// The status line, the failed runs' re-run buttons, and what the runs say.
#[component]
fn SweepProgress() -> impl IntoView {
    let preset = expect_context::<LinkState>().preset;
    let run = expect_context::<RunView>().sweep_run;
    let controller = expect_context::<RunController>();
    let status = move || run.with(|r| r.as_ref().map(sweep_status));
    let failed = move || {
        run.with(|r| {
            let r = r.as_ref().filter(|r| !r.active)?;
            let rows = r.results.iter().enumerate().filter_map(|(i, x)| {
                let why = x.failed.clone()?;
                let label = format!("{} seed {}", r.spec.label(&x.values), x.seed);
                Some(view! {
                    <li>{format!("{label} failed: {why} ")}
                        <button class="small redo" id=format!("redo-{i}") on:click=move |_| controller.redo(i)>"Re-run it"</button></li>
                })
            });
            let rows: Vec<_> = rows.collect();
            (!rows.is_empty()).then(|| view! { <ul id="failed-runs">{rows}</ul> })
        })
    };
    view! {
        <p id="sweep-status" role="status" aria-live="polite">{status}</p>
        {failed}
        {move || run.with(|r| r.as_ref().and_then(|r| outcome(r, preset.get())))}
    }
}

/// What a finished sweep says: over two or more seeds its preset's verdict; against the
/// reference, per point, inside its band or not; one seed without a reference, what it measured.
fn outcome(r: &SweepRun, preset: Option<&'static Preset>) -> Option<AnyView> {
    if r.active || r.results.is_empty() {
        return None;
    }
    let reference = reference_for(&r.spec);
    let compared = reference.as_ref().and_then(|refr| {
        Some(comparison_view(
            refr,
            &comparison(refr, r)?,
            "sweep-comparison".into(),
        ))
    });
    let verdict = preset
        .filter(|p| p.matches(&r.spec) && r.spec.seeds >= 2)
        .map(|p| {
            let v = p.verdict(&r.results);
            let word = if v.holds() {
                "The finding holds here. "
            } else {
                "Not shown at this scale. "
            };
            view! { <p class="verdict" id="sweep-verdict"><strong>{word}</strong>{v.evidence}</p> }
        });
    let alone = (verdict.is_none() && compared.is_none()).then(|| {
        view! {
            <p class="verdict" id="sweep-verdict"><strong>"One seed per point: a comparison, not a verdict. "</strong>
                {format!("No reference runs of this grid ship with the page; measured: {}. Run 2 or more seeds for a verdict.",
                    measured_summary(&r.spec, &r.results))}</p>
        }
    });
    Some(view! { {verdict}{compared}{alone} }.into_any())
}

/// The effect chart: the reference (where the page ships one for this grid) under the
/// visitor's runs, and a preset's published numbers beside its own sweep.
#[component]
fn EffectChart() -> impl IntoView {
    let link = expect_context::<LinkState>();
    let run = expect_context::<RunView>().sweep_run;
    let spec = move || {
        run.with(|r| r.as_ref().map(|r| r.spec.clone()))
            .or_else(|| link.sweep.get())
    };
    let series = Signal::derive(move || {
        let Some(spec) = spec() else {
            return Vec::new();
        };
        run.with(|r| effect_series(&spec, r.as_ref(), link.preset.get()))
    });
    let axes = Signal::derive(move || spec().map(|s| s.chart_axes()).unwrap_or_default());
    let about = move || {
        let r = reference_for(&spec()?)?;
        Some(view! {
            <p class="caption" id="effect-reference">{reference_caption(&r)}" "{reference_verdict(&r)}</p>
        })
    };
    view! {
        <LineChart id="chart-effect" title="Effect: final metric per sweep point"
            caption="One line per feature (and value of the second knob), mean ± sd over seeds as a band; dashed = chance, dotted = the untrained encoder; grey dotted = the paper's notebook. Where the page has reference runs of this grid, they are drawn with their band under your runs (ringed dots)."
            series=series axes=axes />
        {about}
    }
}

/// The effect as a table: one row per value of the first knob, one column per line.
#[component]
fn EffectTable() -> impl IntoView {
    let run = expect_context::<RunView>().sweep_run;
    move || {
        run.with(|r| {
            let r = r.as_ref().filter(|r| !r.results.is_empty())?;
            let lines = r.spec.effect_lines(&r.results);
            let xs = r.spec.x_positions();
            let head = lines
                .iter()
                .map(|l| view! { <th scope="col">{l.name.clone()}</th> })
                .collect_view();
            let rows = r.spec.axes[0]
                .values
                .iter()
                .zip(xs)
                .map(|(value, x)| {
                    let cells = lines
                        .iter()
                        .map(|l| {
                            let cell = l
                                .points
                                .iter()
                                .find(|p| p.0 == x)
                                .map_or("–".to_string(), |p| p.1.to_string());
                            view! { <td>{cell}</td> }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{value.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            Some(view! {
                <table class="probes" id="effect-table">
                    <caption>{format!("{} (mean ± sd over seeds)", r.spec.effect.label())}</caption>
                    <tr><th scope="col">{r.spec.axes[0].key.clone()}</th>{head}</tr>
                    {rows}
                </table>
            })
        })
    }
}
