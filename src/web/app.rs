//! The page: the header, the link's warnings, the tool (controls, dataset, training, sweep,
//! history) and the explanation under it. The page's state (by concern) and the run controller
//! are made here and provided as context; the panels do the rest.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::controller::RunController;
use super::controls::Controls;
use super::dom;
use super::panels::dataset::DatasetPanel;
use super::panels::embedding::EmbeddingPanel;
use super::panels::explain::Explanation;
use super::panels::history::HistoryPanel;
use super::panels::local::LocalPanel;
use super::panels::model::{ExpectedPanel, ModelPanel};
use super::panels::sweep::{PresetMenu, SweepPanel};
use super::panels::training::{DiagnosticsPanel, RunPanel};
use super::run_history::RunHistory;
use super::state::{Files, LinkState, RunState, RunView};
use crate::record::BackendKind;
use crate::url::{ParamWarning, encode_link, with_result};

/// The backend badge, the WebGPU switch and Copy link.
#[component]
fn Header() -> impl IntoView {
    let run = expect_context::<RunView>();
    let copied = RwSignal::new(false);
    let copy_link = move |_| {
        let link = dom::href();
        spawn_local(async move {
            copied.set(dom::copy_text(&link).await);
        });
    };
    let badge = move || match run.badge.get() {
        None => "backend: not started".to_string(),
        // The CPU's description names it ("CPU (burn flex, …)"); a GPU's is the adapter's name.
        Some(b) if b.kind == BackendKind::Wgpu => format!("WebGPU · {}", b.adapter),
        Some(b) => b.adapter,
    };
    view! {
        <header>
            <h1>"Contrastive Playground"</h1>
            <span class="badge" id="backend-badge" title=move || run.badge.get().map(|b| b.reason).unwrap_or_default()>
                {badge}
            </span>
            <label class="gpu-toggle"><input type="checkbox" id="prefer-gpu" prop:checked=move || run.prefer_gpu.get()
                on:change=move |ev| run.prefer_gpu.set(event_target_checked(&ev)) />"use WebGPU"</label>
            <button id="copy-link" on:click=copy_link>{move || if copied.get() { "Link copied" } else { "Copy link" }}</button>
            <a class="skip" href="#explanation">"What is this?"</a>
        </header>
    }
}

/// What in the link was not used as written, until dismissed.
#[component]
fn LinkWarnings() -> impl IntoView {
    let warnings = expect_context::<LinkState>().warnings;
    view! {
        <Show when=move || !warnings.get().is_empty()>
            <div class="warning" id="url-warnings" role="alert">
                <strong>"Some link parameters were not used:"</strong>
                <ul>{move || warnings.get().into_iter().map(|w: ParamWarning| view! { <li>{w.to_string()}</li> }).collect_view()}</ul>
                <button id="dismiss-warnings" on:click=move |_| warnings.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let link = LinkState::from_link(&dom::current_link());
    let (run, files, history) = (RunState::default(), Files::default(), RunHistory::load());
    provide_context(link);
    provide_context(run.view());
    provide_context(files);
    provide_context(history);
    provide_context(RunController::new(link, run, files, history));
    // The address bar follows the controls, the sweep editor and the hidden knobs.
    // A link's result stays in it while the settings are the ones it belongs to.
    Effect::new(move |_| {
        let query = encode_link(
            &link.config.get(),
            link.sweep.get().as_ref(),
            &link.hidden.get(),
        );
        dom::replace_query(&match link.expected() {
            Some(r) => with_result(&query, &r),
            None => query,
        })
    });
    dom::remove_loading();
    view! {
        <Header />
        <LinkWarnings />
        <main id="tool">
            <aside aria-label="settings">
                <PresetMenu />
                <Controls />
            </aside>
            <section class="middle" aria-label="data and representations">
                <DatasetPanel />
                <LocalPanel />
                <EmbeddingPanel />
            </section>
            <section class="right" aria-label="training">
                <ExpectedPanel />
                <RunPanel />
                <ModelPanel />
                <SweepPanel />
                <DiagnosticsPanel />
                <HistoryPanel />
            </section>
        </main>
        <Explanation />
    }
}

/// Mounts the app. Called by the binary's `main` on wasm32.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
