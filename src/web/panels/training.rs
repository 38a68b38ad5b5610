//! The training panels: Train / Pause / Reset and A/B pinning, the status, the loss and probe
//! charts with the final probe table (`RunPanel`), and the diagnostics charts with the exports
//! (`DiagnosticsPanel`).

use leptos::prelude::*;

use crate::render::series;
use crate::web::charts::LineChart;
use crate::web::client::WorkerClient;
use crate::web::dom;
use crate::web::state::{PageState, Status};

/// The final probe table of the last evaluation, with the local-features ARI per block.
fn probe_table(state: PageState) -> impl IntoView {
    move || {
        state.record.with(|r| {
            r.evaluations.last().map(|e| {
                let rows = e
                    .probes
                    .iter()
                    .map(|p| {
                        view! {
                            <tr><td>{p.feature.clone()}</td><td>{format!("{:.3}", p.online_test_acc)}</td>
                            <td>{format!("{:.3}", p.offline_test_acc)}</td><td>{format!("{:.3}", p.knn_acc)}</td>
                            <td>{format!("{:.3}", p.chance)}</td></tr>
                        }
                    })
                    .collect_view();
                let ari = e
                    .local
                    .iter()
                    .map(|l| format!("block {}: {:.3}", l.block, l.ari))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <table class="probes" id="probe-table">
                        <tr><th>{format!("feature (step {})", e.step)}</th><th>"online"</th><th>"offline"</th><th>"kNN"</th><th>"chance"</th></tr>
                        {rows}
                    </table>
                    <p class="ari">{if ari.is_empty() { String::new() } else { format!("ARI vs true masks — {ari}") }}</p>
                }
            })
        })
    }
}

#[component]
pub fn RunPanel() -> impl IntoView {
    let state = expect_context::<PageState>();
    let client = expect_context::<WorkerClient>();
    let loss = Signal::derive(move || {
        state
            .record
            .with(|r| state.pinned.with(|p| series::loss(r, p.as_ref())))
    });
    let probes = Signal::derive(move || {
        state
            .record
            .with(|r| state.pinned.with(|p| series::probes(r, p.as_ref())))
    });
    view! {
        <div class="buttons">
            <button id="train" on:click=move |_| client.train()>"Train"</button>
            <button id="pause" on:click=move |_| client.pause_or_resume()>
                {move || if state.status.get() == Status::Paused { "Resume" } else { "Pause" }}
            </button>
            <button id="reset" on:click=move |_| client.reset()>"Reset"</button>
            <button id="pin" title="Keep this run's curves and draw the next run's over them"
                on:click=move |_| state.pinned.set(Some(state.record.get_untracked()))>"Pin run (A/B)"</button>
            <button id="unpin" disabled=move || state.pinned.with(|p| p.is_none()) on:click=move |_| state.pinned.set(None)>"Unpin"</button>
        </div>
        {move || state.pinned.with(|p| p.as_ref().map(|p| view! {
            <p class="hint" id="pinned-note">{format!("A/B: dashed grey = pinned run {}", p.config)}</p>
        }))}
        <p id="status" class=move || if matches!(state.status.get(), Status::Failed(_)) { "error" } else { "" }>
            {move || state.status_text()}
        </p>
        {move || state.notice.get().map(|n| view! { <p class="notice">{n}</p> })}
        <LineChart id="chart-loss" title="Loss: total = alignment + distribution" series=loss />
        <LineChart id="chart-probes" title="Linear probe accuracy per feature (suppression)" series=probes y_range=(0.0, 1.0) />
        {probe_table(state)}
    }
}

/// The charts' ids, for the PNG export.
const CHARTS: [&str; 5] = [
    "chart-loss",
    "chart-probes",
    "chart-contrastive",
    "chart-geometry",
    "chart-speed",
];

#[component]
pub fn DiagnosticsPanel() -> impl IntoView {
    let state = expect_context::<PageState>();
    let contrastive = Signal::derive(move || state.record.with(series::contrastive));
    let geometry = Signal::derive(move || state.record.with(series::geometry));
    let speed = Signal::derive(move || state.record.with(series::throughput));
    view! {
        <LineChart id="chart-contrastive" title="Contrastive accuracy" series=contrastive y_range=(0.0, 1.0) />
        <LineChart id="chart-geometry" title="Alignment and uniformity" series=geometry />
        <LineChart id="chart-speed" title="Throughput" series=speed />
        <div class="buttons">
            <button id="export-csv" on:click=move |_| {
                let csv = state.record.with_untracked(|r| r.history_csv());
                dom::download("metrics.csv", csv.as_bytes(), "text/csv");
            }>"Export CSV"</button>
            <button id="export-json" on:click=move |_| {
                let json = state.record.with_untracked(|r| serde_json::to_string_pretty(r).unwrap_or_default());
                dom::download("run.json", json.as_bytes(), "application/json");
            }>"Export JSON"</button>
            <button id="export-png" on:click=move |_| {
                for id in CHARTS {
                    dom::svg_to_png(id, &format!("{id}.png"));
                }
            }>"Charts as PNG"</button>
        </div>
    }
}
