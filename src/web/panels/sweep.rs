//! Presets and sweeps in the page: the preset menu, the sweep editor (one or two knobs, their
//! values, the metric to draw), the grid's progress, and the effect chart. The grid runs one
//! config after another through the same worker as a single run (see `client.rs`).

use leptos::prelude::*;

use crate::params::PARAMS;
use crate::presets::{PRESETS, Preset};
use crate::sweep::{Metric, SweepSpec, chart_series};
use crate::web::charts::LineChart;
use crate::web::client::WorkerClient;
use crate::web::dom;
use crate::web::state::PageState;

/// The preset menu and what to look for.
#[component]
pub fn PresetMenu() -> impl IntoView {
    let state = expect_context::<PageState>();
    let client = expect_context::<WorkerClient>();
    let chosen = state.preset;
    let pick = move |name: String| match Preset::find(&name) {
        Some(p) => state.load_preset(p),
        None => chosen.set(None),
    };
    view! {
        <div class="presets">
            <label for="preset">"Finding: "</label>
                <select id="preset" prop:value=move || chosen.get().map_or("", |p| p.name)
                    on:change=move |ev| pick(event_target_value(&ev))>
                    <option value="">"— choose a finding —"</option>
                    {PRESETS.iter().map(|p| view! { <option value=p.name>{p.title}</option> }).collect_view()}
                </select>
            {move || chosen.get().map(|p| view! {
                <p class="hint" id="preset-help"><strong>"Look for: "</strong>{p.look_for}</p>
                <button id="run-finding" class="primary"
                    on:click=move |_| { if let Some(s) = state.sweep.get_untracked() { client.run_sweep(s) } }>
                    {move || format!("Run this finding ({} runs)", state.sweep.with(|s| s.as_ref().map_or(0, |s| s.runs())))}
                </button>
                <p class="hint"><strong>"Scaled down: "</strong>{p.differs}</p>
            })}
        </div>
    }
}

/// One axis of the editor: a knob and its comma-separated values.
fn axis_text(spec: Option<&SweepSpec>, i: usize) -> (String, String) {
    spec.and_then(|s| s.axes.get(i))
        .map(|a| (a.key.clone(), a.values.join(",")))
        .unwrap_or_default()
}

/// The sweep editor, its run/cancel buttons, progress and the effect chart.
#[component]
pub fn SweepPanel() -> impl IntoView {
    let state = expect_context::<PageState>();
    let client = expect_context::<WorkerClient>();
    let (sweep, run) = (state.sweep, state.sweep_run);
    let initial = sweep.get_untracked();
    let keys = [0, 1].map(|i| RwSignal::new(axis_text(initial.as_ref(), i).0));
    let values = [0, 1].map(|i| RwSignal::new(axis_text(initial.as_ref(), i).1));
    let effect = RwSignal::new(initial.as_ref().map_or(Metric::Offline, |s| s.effect));
    let seeds = RwSignal::new(initial.as_ref().map_or(1, |s| s.seeds));
    let error = RwSignal::new(None::<String>);
    // The editor follows the spec when a preset (or anything else) replaces it.
    Effect::new(move |_| {
        let s = sweep.get();
        for i in 0..2 {
            let (k, v) = axis_text(s.as_ref(), i);
            keys[i].set(k);
            values[i].set(v);
        }
        if let Some(s) = s {
            effect.set(s.effect);
            seeds.set(s.seeds);
        }
    });
    // Any edit re-parses the whole spec: a valid one goes to the URL, a bad one is explained.
    let edit = move || {
        let text: Vec<String> = (0..2)
            .filter(|&i| !keys[i].get_untracked().is_empty())
            .map(|i| format!("{}:{}", keys[i].get_untracked(), values[i].get_untracked()))
            .collect();
        if text.is_empty() {
            error.set(None);
            sweep.set(None);
            return;
        }
        match SweepSpec::parse(&text.join(";"), effect.get_untracked())
            .and_then(|s| s.with_seeds(seeds.get_untracked()))
        {
            Ok(s) => {
                error.set(None);
                sweep.set(Some(s));
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let axis = move |i: usize| {
        view! {
            <div class="axis">
                <label for=format!("sweep-key-{i}") class="visually-hidden">{if i == 0 { "knob on the x axis" } else { "second knob (one line per value)" }}</label>
                <select id=format!("sweep-key-{i}") prop:value=move || keys[i].get()
                    on:change=move |ev| { keys[i].set(event_target_value(&ev)); edit(); }>
                    <option value="">{if i == 0 { "— knob (x axis) —" } else { "— second knob (lines) —" }}</option>
                    {PARAMS.iter().map(|p| view! { <option value=p.key>{p.key}</option> }).collect_view()}
                </select>
                <label for=format!("sweep-values-{i}") class="visually-hidden">"values, comma-separated"</label>
                <input id=format!("sweep-values-{i}") type="text" placeholder="values, e.g. 0,5,10"
                    prop:value=move || values[i].get()
                    on:change=move |ev| { values[i].set(event_target_value(&ev)); edit(); } />
            </div>
        }
    };
    // The measured lines, and a preset's published numbers beside its own sweep.
    let chart_series = Signal::derive(move || {
        run.with(|r| {
            r.as_ref()
                .map(|r| {
                    let mut lines = r.spec.effect_lines(&r.results);
                    if let Some(p) = state
                        .preset
                        .get()
                        .filter(|p| p.sweep_spec().axes == r.spec.axes)
                    {
                        lines.extend(p.reference_lines());
                    }
                    chart_series(&lines)
                })
                .unwrap_or_default()
        })
    });
    let chart_axes = Signal::derive(move || {
        run.with(|r| r.as_ref().map(|r| r.spec.chart_axes()).unwrap_or_default())
    });
    let status = move || {
        run.with(|r| {
            let r = r.as_ref()?;
            let (done, total) = (r.results.len(), r.points.len());
            let failed = r.results.iter().filter(|x| x.failed.is_some()).count();
            let failed = if failed > 0 {
                format!(
                    " ({failed} failed: {})",
                    r.results
                        .iter()
                        .filter_map(|x| x
                            .failed
                            .as_deref()
                            .map(|w| format!("{} — {w}", r.spec.label(&x.values))))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            } else {
                String::new()
            };
            Some(match (&r.stopped, r.active, r.current()) {
                (Some(why), _, _) => {
                    format!("sweep stopped after {done} of {total} runs: {why}{failed}")
                }
                (None, true, Some(p)) => format!(
                    "sweep run {} of {total}: {}{failed}",
                    done + 1,
                    r.spec.label(&p.values)
                ),
                _ => format!("sweep finished: {done} of {total} runs{failed}"),
            })
        })
    };
    view! {
        <div class="sweep">
            <h2>"Sweep"</h2>
            {axis(0)}
            {axis(1)}
            <label for="sweep-seeds">"seeds per point: "</label>
            <input id="sweep-seeds" type="number" min="1" max="10" prop:value=move || seeds.get().to_string()
                on:change=move |ev| { seeds.set(event_target_value(&ev).parse().unwrap_or(1)); edit(); } />
            <label>"effect: "
                <select id="sweep-effect" prop:value=move || effect.get().as_str()
                    on:change=move |ev| {
                        effect.set(Metric::parse(&event_target_value(&ev)).unwrap_or(Metric::Offline));
                        edit();
                    }>
                    {Metric::ALL.iter().map(|e| view! { <option value=e.as_str()>{e.label()}</option> }).collect_view()}
                </select>
            </label>
            {move || error.get().map(|e| view! { <p class="error" id="sweep-error">{e}</p> })}
            <div class="buttons">
                <button id="run-sweep" disabled=move || sweep.get().is_none() || error.get().is_some()
                    on:click=move |_| { if let Some(s) = sweep.get_untracked() { client.run_sweep(s) } }>
                    {move || match sweep.get() {
                        Some(s) => format!("Run sweep ({} runs)", s.runs()),
                        None => "Run sweep".to_string(),
                    }}
                </button>
                <button id="cancel-sweep" disabled=move || !run.with(|r| r.as_ref().is_some_and(|r| r.active))
                    on:click=move |_| client.cancel_sweep()>"Cancel"</button>
                <button id="export-sweep" disabled=move || run.with(|r| r.as_ref().is_none_or(|r| r.results.is_empty()))
                    on:click=move |_| {
                        if let Some(r) = run.get_untracked() {
                            dom::download("sweep.csv", r.spec.csv(&r.results).as_bytes(), "text/csv");
                        }
                    }>"Sweep CSV"</button>
            </div>
            <p id="sweep-status" role="status" aria-live="polite">{status}</p>
            {move || run.with(|r| {
                let r = r.as_ref().filter(|r| !r.active && !r.results.is_empty())?;
                let p = state.preset.get().filter(|p| p.sweep_spec().axes == r.spec.axes)?;
                let v = p.verdict(&r.results);
                Some(view! {
                    <p class="verdict" id="sweep-verdict"><strong>{if v.holds() { "The finding holds here. " } else { "Not shown at this scale. " }}</strong>{v.evidence}</p>
                })
            })}
            <LineChart id="chart-effect" title="Effect: final metric per sweep point"
                caption="One line per feature (and value of the second knob), mean ± sd over seeds as a band; dashed = chance, dotted = the untrained encoder; grey dotted = the paper's notebook."
                series=chart_series axes=chart_axes />
        </div>
    }
}
