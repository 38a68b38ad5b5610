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
    let (config, sweep, chosen) = (state.config, state.sweep, state.preset);
    let pick = move |name: String| {
        let Some(p) = Preset::find(&name) else {
            chosen.set(None);
            return;
        };
        // Keep the seed; everything else is the preset's.
        let seed = config.get_untracked().seed;
        let mut c = p.experiment();
        c.seed = seed;
        config.set(c);
        sweep.set(Some(p.sweep_spec()));
        chosen.set(Some(p));
    };
    view! {
        <div class="presets">
            <label>"Preset: "
                <select id="preset" prop:value=move || chosen.get().map_or("", |p| p.name)
                    on:change=move |ev| pick(event_target_value(&ev))>
                    <option value="">"— choose a finding —"</option>
                    {PRESETS.iter().map(|p| view! { <option value=p.name>{p.title}</option> }).collect_view()}
                </select>
            </label>
            {move || chosen.get().map(|p| view! {
                <p class="hint" id="preset-help"><strong>"Look for: "</strong>{p.look_for}</p>
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
        match SweepSpec::parse(&text.join(";"), effect.get_untracked()) {
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
                <select id=format!("sweep-key-{i}") prop:value=move || keys[i].get()
                    on:change=move |ev| { keys[i].set(event_target_value(&ev)); edit(); }>
                    <option value="">{if i == 0 { "— knob (x axis) —" } else { "— second knob (lines) —" }}</option>
                    {PARAMS.iter().map(|p| view! { <option value=p.key>{p.key}</option> }).collect_view()}
                </select>
                <input id=format!("sweep-values-{i}") type="text" placeholder="values, e.g. 0,5,10"
                    prop:value=move || values[i].get()
                    on:change=move |ev| { values[i].set(event_target_value(&ev)); edit(); } />
            </div>
        }
    };
    let chart_series = Signal::derive(move || {
        run.with(|r| {
            r.as_ref()
                .map(|r| chart_series(&r.spec.effect_lines(&r.results)))
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
            Some(match (&r.stopped, r.active, r.current()) {
                (Some(why), _, _) => format!("sweep stopped after {done} of {total} runs: {why}"),
                (None, true, Some(p)) => format!(
                    "sweep run {} of {total}: {}",
                    done + 1,
                    r.spec.label(&p.values)
                ),
                _ => format!("sweep finished: {done} of {total} runs"),
            })
        })
    };
    view! {
        <div class="sweep">
            <h2>"Sweep"</h2>
            {axis(0)}
            {axis(1)}
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
            <p id="sweep-status">{status}</p>
            <LineChart id="chart-effect" title="Effect: final metric per sweep point" series=chart_series axes=chart_axes />
        </div>
    }
}
