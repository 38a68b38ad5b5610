//! Sweeps that many browsers share and that survive a reload: the shard of the grid to run
//! (the command line's `--shard K/N` split), shard files from browsers and the command line
//! merged into the sweep's chart, table and verdict (and its files, as `merge` writes them),
//! and the offer to resume a sweep this browser kept.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::presets::shards::{SweepFiles, merge_files};
use crate::sweep::shard::Shard;
use crate::url::{decode, encode_with_sweep};
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::sweep_store::KeptSweep;

/// The shard to run, or `None` for the whole grid (1 of 1).
pub fn shard_of((index, count): (usize, usize)) -> Option<Shard> {
    (count > 1 && (1..=count).contains(&index)).then_some(Shard { index, count })
}

/// "Shard K of N": which runs of the grid this browser runs (every N-th from the K-th).
#[component]
pub fn ShardPicker(
    /// (K, N), 1-based.
    shard: RwSignal<(usize, usize)>,
) -> impl IntoView {
    let set = move |k: Option<usize>, n: Option<usize>| {
        shard.update(|(index, count)| {
            *count = n.unwrap_or(*count).clamp(1, 64);
            *index = k.unwrap_or(*index).clamp(1, *count);
        })
    };
    view! {
        <div class="shard">
            <label for="shard-index">"shard "</label>
            <input id="shard-index" type="number" min="1" prop:value=move || shard.get().0.to_string()
                on:change=move |ev| set(event_target_value(&ev).parse().ok(), None) />
            <label for="shard-count">" of "</label>
            <input id="shard-count" type="number" min="1" max="64" prop:value=move || shard.get().1.to_string()
                on:change=move |ev| set(None, event_target_value(&ev).parse().ok()) />
            <span class="hint">" (every N-th run from the K-th, as the command line's --shard K/N; 1 of 1 runs all)"</span>
        </div>
    }
}

/// Reads dropped or picked files as text, with their names.
async fn read_texts(files: Vec<web_sys::File>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for file in files {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| format!("{}: cannot be read as text", file.name()))?;
        out.push((file.name(), text));
    }
    Ok(out)
}

/// Merge: shard files dropped or picked, from any mix of browsers and command-line runs,
/// become the sweep on screen; its CSV, JSON and chart download as `merge` writes them.
#[component]
pub fn MergePanel() -> impl IntoView {
    let controller = expect_context::<RunController>();
    let note = RwSignal::new(None::<Result<String, String>>);
    let merged = RwSignal::new(None::<SweepFiles>);
    let take = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        spawn_local(async move {
            let outcome = match read_texts(files).await {
                Ok(texts) => merge_files(&texts).and_then(|m| {
                    controller.show_merged(&m)?;
                    merged.set(Some(m.files()));
                    Ok(format!(
                        "{} shard files merged: {} runs",
                        texts.len(),
                        m.results.len()
                    ))
                }),
                Err(e) => Err(e),
            };
            if outcome.is_err() {
                merged.set(None);
            }
            note.set(Some(outcome));
        });
    };
    // 0: the CSV, 1: the JSON, 2: the chart.
    let download = move |name: &'static str, which: usize, mime: &'static str| {
        merged.with_untracked(|m| {
            if let Some(m) = m {
                let text = [&m.csv, &m.json, &m.svg][which];
                dom::download(name, text.as_bytes(), mime);
            }
        })
    };
    view! {
        <div class="drop merge" id="merge-zone" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default()
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                take(dom::files_of(ev.data_transfer().and_then(|d| d.files())));
            }>
            <label for="merge-files">"Merge shard files (from browsers or `sweep --shard K/N --json`): drop them here or "</label>
            <input id="merge-files" type="file" multiple accept=".json,application/json"
                on:change=move |ev| { let input: web_sys::HtmlInputElement = event_target(&ev); take(dom::files_of(input.files())); } />
        </div>
        {move || note.get().map(|n| match n {
            Ok(s) => view! { <p class="ok" id="merge-note" role="status">{s}</p> }.into_any(),
            Err(e) => view! { <p class="error" id="merge-error" role="alert">{e}</p> }.into_any(),
        })}
        <Show when=move || merged.with(Option::is_some)>
            <div class="buttons">
                <button id="merged-csv" on:click=move |_| download("merged.csv", 0, "text/csv")>"Merged CSV"</button>
                <button id="merged-json" on:click=move |_| download("merged.json", 1, "application/json")>"Merged JSON"</button>
                <button id="merged-svg" on:click=move |_| download("merged.svg", 2, "image/svg+xml")>"Merged chart (SVG)"</button>
            </div>
        </Show>
    }
}

/// The sweep this browser kept: an unfinished one is offered for resuming (only what is
/// missing runs); a finished one of the link on screen comes back as it was.
#[component]
pub fn ResumeBanner() -> impl IntoView {
    let controller = expect_context::<RunController>();
    let kept = RwSignal::new(KeptSweep::load());
    let error = RwSignal::new(None::<String>);
    if let Some(k) = kept.get_untracked().filter(|k| k.missing() == 0) {
        // Finished: shown again if it is the sweep of the link on screen, else left alone.
        let here = decode(&dom::current_link());
        let opened = encode_with_sweep(&here.config, here.sweep.as_ref()) == k.link;
        if opened {
            let _ = controller.open_kept(&k, false);
        }
        kept.set(None);
    }
    let act = move |resume: bool| {
        if let Some(k) = kept.get_untracked() {
            match resume {
                true => match controller.open_kept(&k, true) {
                    Ok(()) => kept.set(None),
                    Err(e) => error.set(Some(format!("the kept sweep cannot be resumed: {e}"))),
                },
                false => {
                    KeptSweep::clear();
                    kept.set(None);
                }
            }
        }
    };
    view! {
        {move || kept.get().map(|k| view! {
            <div class="warning" id="resume-sweep" role="status">
                {format!("A sweep was interrupted at {} of {} runs ({}, last filed {}).",
                    k.results.len(), k.runs, k.link, dom::date(k.date))}
                <div class="buttons">
                    <button id="resume" class="primary" on:click=move |_| act(true)>{format!("Resume: run the {} missing", k.missing())}</button>
                    <button id="discard-sweep" on:click=move |_| act(false)>"Discard"</button>
                </div>
            </div>
        })}
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}
