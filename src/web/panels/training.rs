//! The training panels: Train / Step / Pause / Reset with the progress bar, the status (an
//! `aria-live` region), the loss and probe charts with the final probe table (`RunPanel`), and
//! the diagnostics charts with the run's exports (`DiagnosticsPanel`).

use leptos::prelude::*;

use crate::record::RunRecord;
use crate::render::series;
use crate::web::charts::LineChart;
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::run_history::RunHistory;
use crate::web::state::{LinkState, RunView, Status};

/// The final probe table of the last evaluation, with the same probes at initialisation and
/// the local-features ARI per block.
fn probe_table(record: ReadSignal<RunRecord>) -> impl IntoView {
    move || {
        record.with(|r| {
            let first = r.evaluations.first();
            r.evaluations.last().map(|e| {
                let rows = e
                    .probes
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let init = first
                            .and_then(|f| f.probes.get(i))
                            .map_or(String::from("–"), |q| format!("{:.3}", q.offline_test_acc));
                        view! {
                            <tr><th scope="row">{p.feature.clone()}</th><td>{format!("{:.3}", p.online_test_acc)}</td>
                            <td>{format!("{:.3}", p.offline_test_acc)}</td><td>{init}</td><td>{format!("{:.3}", p.knn_acc)}</td>
                            <td>{format!("{:.3}", p.chance)}</td></tr>
                        }
                    })
                    .collect_view();
                let ari = e
                    .local
                    .iter()
                    .map(|l| {
                        let parts = l.ari_parts.map_or(String::new(), |p| format!(", vs parts {p:.3}"));
                        format!("block {}: {:.3} (raw pixels {:.3}{parts})", l.block, l.ari, l.ari_pixels)
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <table class="probes" id="probe-table">
                        <caption>{format!("Test accuracy per feature at step {}", e.step)}</caption>
                        <tr><th scope="col">"feature"</th><th scope="col">"online"</th><th scope="col">"offline"</th>
                            <th scope="col">"offline at init"</th><th scope="col">"kNN"</th><th scope="col">"chance"</th></tr>
                        {rows}
                    </table>
                    <p class="ari">{if ari.is_empty() { String::new() } else { format!("Local features, ARI vs true masks — {ari}") }}</p>
                }
            })
        })
    }
}

/// The progress bar of the run on screen.
fn progress_bar(progress: ReadSignal<(usize, usize)>) -> impl IntoView {
    let (done, total) = (move || progress.get().0, move || progress.get().1.max(1));
    view! {
        <progress id="progress" max=move || total().to_string() value=move || done().to_string()
            aria-label="training progress"
            aria-valuetext=move || format!("step {} of {}", done(), total())></progress>
    }
}

#[component]
pub fn RunPanel() -> impl IntoView {
    let (run, history) = (expect_context::<RunView>(), expect_context::<RunHistory>());
    let config = expect_context::<LinkState>().config.read_only();
    let controller = expect_context::<RunController>();
    let loss = Signal::derive(move || {
        let overlays = history.overlaid();
        let refs: Vec<(String, &_)> = overlays.iter().map(|(n, r)| (n.clone(), r)).collect();
        run.record.with(|r| series::loss(r, &refs))
    });
    let probes = Signal::derive(move || {
        let overlays = history.overlaid();
        let refs: Vec<(String, &_)> = overlays.iter().map(|(n, r)| (n.clone(), r)).collect();
        run.record.with(|r| series::probes(r, &refs))
    });
    let running = move || matches!(run.status.get(), Status::Running | Status::Starting);
    view! {
        <div class="buttons run-buttons">
            <button id="train" class="primary" on:click=move |_| controller.train()>"Train"</button>
            <button id="step" title="One training step (starts a paused run if none)" on:click=move |_| controller.step()>"Step"</button>
            <button id="pause" disabled=move || !running() && run.status.get() != Status::Paused
                on:click=move |_| controller.pause_or_resume()>
                {move || if run.status.get() == Status::Paused { "Resume" } else { "Pause" }}
            </button>
            <button id="reset" on:click=move |_| controller.reset()>"Reset"</button>
        </div>
        {progress_bar(run.progress)}
        <p id="status" role="status" aria-live="polite"
            class=move || if matches!(run.status.get(), Status::Failed(_)) { "status error" } else { "status" }>
            {move || run.status_text()}
        </p>
        {move || run.settings_changed(config).map(|what| view! {
            <p class="changed" id="settings-changed">{match what {
                "sweep" => "Settings changed since this sweep: press Run sweep to run them.",
                _ => "Settings changed since this run: press Train to run them.",
            }}</p>
        })}
        {move || run.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <LineChart id="chart-probes" title="Linear probe accuracy per feature"
            caption="Each feature's colour: solid = online probe on training batches, dots = on the test split; dashed = chance. A feature suppressed by the loss falls to its dashed line."
            series=probes y_range=(0.0, 1.0) x_title="step" y_title="accuracy" />
        {probe_table(run.record)}
        <LineChart id="chart-loss" title="Loss"
            caption="Total = alignment (views pulled together) + distribution (all embeddings spread out); dashed = overlaid runs."
            series=loss x_title="step" y_title="loss" />
    }
}

/// The charts' ids, for the PNG export of them all.
const CHARTS: [&str; 5] = [
    "chart-loss",
    "chart-probes",
    "chart-contrastive",
    "chart-geometry",
    "chart-speed",
];

#[component]
pub fn DiagnosticsPanel() -> impl IntoView {
    let record = expect_context::<RunView>().record;
    let contrastive = Signal::derive(move || record.with(series::contrastive));
    let geometry = Signal::derive(move || record.with(series::geometry));
    let speed = Signal::derive(move || record.with(series::throughput));
    view! {
        <LineChart id="chart-contrastive" title="Contrastive accuracy"
            caption="How often a view's most similar other embedding is its own second view: near 1 means the instance task is solved (by whatever feature)."
            series=contrastive y_range=(0.0, 1.0) x_title="step" y_title="top-1 accuracy" />
        <LineChart id="chart-geometry" title="Alignment and uniformity"
            caption="Alignment: mean squared distance between the two views (lower = closer). Uniformity: how evenly embeddings cover the sphere (lower = more uniform)."
            series=geometry x_title="step" />
        <LineChart id="chart-speed" title="Throughput"
            caption="Training speed between reads: steps per second and images (views) per second / 100."
            series=speed x_title="step" />
        <div class="buttons">
            <button id="export-csv" on:click=move |_| {
                let csv = record.with_untracked(|r| r.history_csv());
                dom::download("metrics.csv", csv.as_bytes(), "text/csv");
            }>"Export CSV"</button>
            <button id="export-json" on:click=move |_| {
                let json = record.with_untracked(|r| serde_json::to_string_pretty(r).unwrap_or_default());
                dom::download("run.json", json.as_bytes(), "application/json");
            }>"Export JSON"</button>
            <button id="export-png" on:click=move |_| {
                for id in CHARTS {
                    dom::svg_to_png(id, &format!("{id}.png"));
                }
            }>"All charts as PNG"</button>
        </div>
    }
}
