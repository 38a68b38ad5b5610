//! Presets and sweeps in the page: the preset menu, the sweep editor (one or two knobs, their
//! values, the metric to draw, the shard of the grid to run), and the sweep's result and
//! files. The grid runs one config after another through the same worker as a single run (see
//! `sweep_control.rs`).

use leptos::prelude::*;

use super::shards::{MergePanel, ResumeBanner, ShardPicker, shard_of};
use super::sweep_result::SweepResult;
use crate::params::PARAMS;
use crate::presets::shards::SweepFiles;
use crate::presets::{PRESETS, Preset};
use crate::sweep::{Metric, SweepSpec};
use crate::url::encode_with_sweep;
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::state::{LinkState, RunView};

/// The preset menu and what to look for.
#[component]
pub fn PresetMenu() -> impl IntoView {
    let link = expect_context::<LinkState>();
    let controller = expect_context::<RunController>();
    let chosen = link.preset;
    let pick = move |name: String| match Preset::find(&name) {
        Some(p) => link.load_preset(p),
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
                    on:click=move |_| { if let Some(s) = link.sweep.get_untracked() { controller.run_sweep(s, None) } }>
                    {move || format!("Run this finding ({} runs)", link.sweep.with(|s| s.as_ref().map_or(0, |s| s.runs())))}
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

/// The sweep editor, its run/cancel buttons and files, the sweep's result, and shard files
/// merged.
#[component]
pub fn SweepPanel() -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    // Shard K of N of the grid (1 of 1: all of it).
    let shard = RwSignal::new((1usize, 1usize));
    view! {
        <div class="sweep">
            <h2>"Sweep"</h2>
            <ResumeBanner />
            <SweepEditor error=error />
            <ShardPicker shard=shard />
            <SweepButtons error=error.read_only() shard=shard.read_only() />
            <SweepResult />
            <MergePanel />
        </div>
    }
}

/// One or two knobs with their values, seeds per point and the metric to draw. A valid sweep
/// goes to the link; a bad one is explained.
#[component]
fn SweepEditor(
    /// Why the sweep as typed is refused (set here).
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let sweep = expect_context::<LinkState>().sweep;
    let initial = sweep.get_untracked();
    let keys = [0, 1].map(|i| RwSignal::new(axis_text(initial.as_ref(), i).0));
    let values = [0, 1].map(|i| RwSignal::new(axis_text(initial.as_ref(), i).1));
    let effect = RwSignal::new(initial.as_ref().map_or(Metric::Offline, |s| s.effect));
    let seeds = RwSignal::new(initial.as_ref().map_or(1, |s| s.seeds));
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
    view! {
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
    }
}

/// The files of the sweep on screen: its CSV, effect chart and JSON (the shard file merging
/// takes), as the command line writes them.
fn sweep_files(r: &crate::sweep::SweepRun) -> SweepFiles {
    let published = Preset::find_by_sweep(&r.spec)
        .map(|p| p.reference_lines())
        .unwrap_or_default();
    let link = encode_with_sweep(&r.base, Some(&r.spec));
    SweepFiles::of(&r.spec, &link, &r.results, &published)
}

/// Run sweep (all of it or the chosen shard), Cancel, and the sweep's CSV and shard file.
#[component]
fn SweepButtons(
    /// Why the sweep in the editor is refused (then it cannot run).
    error: ReadSignal<Option<String>>,
    /// The shard to run, K of N.
    shard: ReadSignal<(usize, usize)>,
) -> impl IntoView {
    let sweep = expect_context::<LinkState>().sweep;
    let run = expect_context::<RunView>().sweep_run;
    let controller = expect_context::<RunController>();
    let runs = move |s: &SweepSpec| {
        let (k, n) = shard.get();
        (0..s.runs()).filter(|i| i % n == k - 1).count()
    };
    let shard_name = move || {
        run.with(|r| match r.as_ref().and_then(|r| r.shard) {
            Some(s) => format!("sweep-shard-{}-of-{}.json", s.index, s.count),
            None => "sweep.json".to_string(),
        })
    };
    view! {
        <div class="buttons">
            <button id="run-sweep" disabled=move || sweep.get().is_none() || error.get().is_some()
                on:click=move |_| { if let Some(s) = sweep.get_untracked() { controller.run_sweep(s, shard_of(shard.get_untracked())) } }>
                {move || match sweep.get() {
                    Some(s) if shard.get().1 > 1 => format!("Run shard {} of {} ({} runs)", shard.get().0, shard.get().1, runs(&s)),
                    Some(s) => format!("Run sweep ({} runs)", s.runs()),
                    None => "Run sweep".to_string(),
                }}
            </button>
            <button id="cancel-sweep" disabled=move || !run.with(|r| r.as_ref().is_some_and(|r| r.active))
                on:click=move |_| controller.cancel_sweep()>"Cancel"</button>
            <button id="export-sweep" disabled=move || run.with(|r| r.as_ref().is_none_or(|r| r.results.is_empty()))
                on:click=move |_| {
                    if let Some(r) = run.get_untracked() {
                        dom::download("sweep.csv", sweep_files(&r).csv.as_bytes(), "text/csv");
                    }
                }>"Sweep CSV"</button>
            <button id="export-shard" disabled=move || run.with(|r| r.as_ref().is_none_or(|r| r.results.is_empty()))
                title="The sweep's runs as JSON, to merge with other shards here or with `contrastive-playground merge`"
                on:click=move |_| {
                    if let Some(r) = run.get_untracked() {
                        dom::download(&shard_name(), sweep_files(&r).json.as_bytes(), "application/json");
                    }
                }>{move || if run.with(|r| r.as_ref().is_some_and(|r| r.shard.is_some())) { "Shard file" } else { "Sweep JSON" }}</button>
        </div>
    }
}
