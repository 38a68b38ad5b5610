//! The page: controls, dataset preview, training in a worker, live charts, local features,
//! embedding, export. The worker is spoken to only through [`ToWorker`] / [`FromWorker`].

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, HtmlCanvasElement, MessageEvent, Worker};

use super::charts::{Heatmap, LineChart, Scatter, Series, colour};
use super::controls::Controls;
use super::dom;
use super::sweep::{PresetMenu, SweepPanel, SweepRun, preset_of};
use crate::data::augment::Augment;
use crate::data::loaders::{LoadedSet, load_files};
use crate::data::{Dataset, generate};
use crate::learn::backend::BackendKind;
use crate::learn::run::RunRecord;
use crate::params::{BaseKind, DataKind, ExperimentConfig};
use crate::protocol::{DataFile, FromWorker, ToWorker};
use crate::render::{Rgb, sample_grid};
use crate::sweep::{SweepResult, SweepSpec};
use crate::url::{ParamWarning, decode, encode, encode_with_sweep};

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Starting,
    Running,
    Paused,
    Finished,
    Failed(String),
}

/// The page's view of the worker's backend.
#[derive(Clone, Debug, PartialEq)]
struct BackendBadge {
    kind: BackendKind,
    adapter: String,
    reason: String,
}

/// A small copy of the dataset (preview grid and the test images the panels show). Sample i
/// does not depend on how many are generated, so these are the run's own first samples.
fn small_dataset(
    config: &ExperimentConfig,
    file: Option<&LoadedSet>,
    test: usize,
) -> Result<Dataset, String> {
    let mut c = config.clone();
    c.train_size = 64;
    c.test_size = test.clamp(32, 20_000);
    generate(&c, file).map_err(|e| e.to_string())
}

fn send(worker: &Worker, message: &ToWorker) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = worker.post_message(&value);
    }
}

/// Cluster maps of each block over the test images they were computed on.
fn local_features_picture(ds: &Dataset, record: &RunRecord) -> Option<Rgb> {
    let e = record.evaluations.last()?;
    if e.local.is_empty() {
        return None;
    }
    let shown = e.local_images.len().min(8);
    let (h, w) = (ds.height, ds.width);
    let scale = (64 / h.max(w)).max(1);
    let (cw, ch) = (w * scale + 4, h * scale + 4);
    let mut picture = Rgb::new(shown * cw * 2, e.local.len() * ch, 250);
    for (row, block) in e.local.iter().enumerate() {
        for (j, &img) in e.local_images.iter().take(shown).enumerate() {
            let Some(sample) = ds.test.get(img) else {
                continue;
            };
            let view: Vec<f32> = sample
                .image
                .pixels
                .iter()
                .map(|&v| v as f32 / 255.0)
                .collect();
            let (x0, y0) = (j * 2 * cw, row * ch);
            picture.blit_view(&view, sample.image.channels, h, w, x0, y0, scale);
            // The cluster map next to the image, upsampled to its size.
            let map = &block.maps[j];
            for y in 0..h * scale {
                for x in 0..w * scale {
                    let (my, mx) = (
                        y / scale * block.map_height / h,
                        x / scale * block.map_width / w,
                    );
                    let c = map[my * block.map_width + mx] as usize;
                    let rgb = hex(colour(c));
                    let i = ((y0 + y) * picture.width + x0 + cw + x) * 3;
                    picture.pixels[i..i + 3].copy_from_slice(&rgb);
                }
            }
        }
    }
    Some(picture)
}

fn hex(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

fn history_csv(record: &RunRecord, features: &[String]) -> String {
    let mut out = String::from(
        "step,loss,alignment,distribution,probe_loss,contrastive_acc,align_metric,uniformity",
    );
    for f in features {
        out.push_str(&format!(",{f}.probe_train_acc"));
    }
    out.push('\n');
    for m in &record.history {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}",
            m.step,
            m.loss,
            m.alignment,
            m.distribution,
            m.probe_loss,
            m.contrastive_acc,
            m.align_metric,
            m.uniformity
        ));
        for a in &m.probe_train_acc {
            out.push_str(&format!(",{a}"));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "# config: {}\n# fingerprint: {}\n",
        record.config, record.fingerprint
    ));
    out
}

#[component]
pub fn App() -> impl IntoView {
    let decoded = decode(&dom::current_link());
    let config = RwSignal::new(decoded.config);
    let warnings = RwSignal::new(decoded.warnings);
    let chosen_preset = RwSignal::new(preset_of(decoded.sweep.as_ref()));
    let sweep_spec = RwSignal::new(decoded.sweep);
    let sweep_run = RwSignal::new(None::<SweepRun>);
    let files = StoredValue::new(Vec::<DataFile>::new());
    // The decoded files, kept so the preview does not parse them again on every change.
    let loaded = StoredValue::new(None::<std::sync::Arc<LoadedSet>>);
    let files_version = RwSignal::new(0u32);
    let file_note = RwSignal::new(None::<Result<String, String>>);
    let status = RwSignal::new(Status::Idle);
    let badge = RwSignal::new(None::<BackendBadge>);
    let fingerprint = RwSignal::new(None::<(String, String)>);
    let record = RwSignal::new(RunRecord::new(String::new(), String::new(), String::new()));
    let pinned = RwSignal::new(None::<RunRecord>);
    let progress = RwSignal::new((0usize, 0usize));
    let notice = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let prefer_gpu = RwSignal::new(true);
    let embed_feature = RwSignal::new(0usize);
    let running_query = RwSignal::new(String::new());

    // The address bar follows the controls and the sweep editor.
    Effect::new(move |_| {
        dom::replace_query(&encode_with_sweep(&config.get(), sweep_spec.get().as_ref()))
    });

    // The worker, and what it says.
    let worker_slot = StoredValue::new_local(None::<Worker>);
    // Messages posted before the worker's wasm has loaded would be lost: hold them until Ready.
    let worker_ready = StoredValue::new(false);
    let queued = StoredValue::new(Vec::<ToWorker>::new());
    let on_message = move |message: FromWorker| match message {
        FromWorker::Ready => {
            worker_ready.set_value(true);
            let mut waiting = Vec::new();
            queued.update_value(|q| std::mem::swap(q, &mut waiting));
            worker_slot.with_value(|w| {
                if let Some(w) = w {
                    waiting.iter().for_each(|m| send(w, m));
                }
            });
        }
        FromWorker::Described {
            query,
            fingerprint: fp,
            summary,
        } => {
            if query == encode(&config.get_untracked()) {
                fingerprint.set(Some((fp, summary)));
            }
        }
        FromWorker::Backend {
            kind,
            adapter,
            reason,
        } => badge.set(Some(BackendBadge {
            kind,
            adapter,
            reason,
        })),
        FromWorker::Started {
            query,
            fingerprint: fp,
            params,
            total_steps,
        } => {
            status.set(Status::Running);
            running_query.set(query);
            progress.set((0, total_steps));
            notice.set(Some(format!(
                "training {params} parameters on dataset {fp}"
            )));
        }
        FromWorker::Events { step, events } => {
            progress.update(|p| p.0 = step);
            if !events.is_empty() {
                let block = config.get_untracked().block;
                record.update(|r| events.iter().for_each(|e| r.record(e, block)));
            }
            if status.get_untracked() == Status::Paused {
                return;
            }
            status.set(Status::Running);
        }
        FromWorker::Paused { .. } => status.set(Status::Paused),
        FromWorker::Finished(r) => {
            let next = sweep_run
                .try_update(|run| {
                    let run = run.as_mut().filter(|run| run.active)?;
                    let point = run.current()?.clone();
                    run.results.push(SweepResult {
                        values: point.values,
                        config: r.config.clone(),
                        fingerprint: r.fingerprint.clone(),
                        metrics: r.final_metrics.clone(),
                    });
                    run.active = run.current().is_some();
                    run.current().map(|p| encode(&p.config))
                })
                .flatten();
            record.set(*r);
            status.set(Status::Finished);
            // The next point of a sweep starts as soon as one finishes.
            if let Some(query) = next {
                record.set(RunRecord::new(query.clone(), String::new(), String::new()));
                status.set(Status::Starting);
                worker_slot.with_value(|w| {
                    if let Some(w) = w {
                        send(
                            w,
                            &ToWorker::Start {
                                query,
                                files: files.get_value(),
                                prefer_gpu: prefer_gpu.get_untracked(),
                            },
                        )
                    }
                });
            }
        }
        FromWorker::Notice(n) => notice.set(Some(n)),
        FromWorker::Error(e) => {
            stop_sweep(sweep_run, &e);
            status.set(Status::Failed(e));
        }
    };
    let spawn_worker = move || {
        let worker = match Worker::new("./worker_loader.js") {
            Ok(w) => w,
            Err(e) => {
                status.set(Status::Failed(format!(
                    "cannot start the training worker: {e:?}"
                )));
                return;
            }
        };
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<FromWorker>(ev.data()) {
                Ok(m) => on_message(m),
                Err(e) => status.set(Status::Failed(format!("bad message from the worker: {e}"))),
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        // A dead worker (out of memory, a lost GPU device, a panic) must not take the page
        // with it: say so, and fall back to the CPU for the next start.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            let was_gpu = badge
                .get_untracked()
                .is_some_and(|b| b.kind == BackendKind::Wgpu);
            if was_gpu {
                prefer_gpu.set(false);
            }
            status.set(Status::Failed(format!(
                "the training worker stopped: {}{}",
                ev.message(),
                if was_gpu {
                    " — WebGPU is now off; press Train to continue on the CPU"
                } else {
                    ""
                }
            )));
            stop_sweep(sweep_run, "the training worker stopped");
            worker_slot.update_value(|w| *w = None);
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        worker_ready.set_value(false);
        worker_slot.set_value(Some(worker));
    };
    spawn_worker();
    let post = move |message: ToWorker| {
        if worker_slot.with_value(|w| w.is_none()) {
            spawn_worker();
        }
        if !worker_ready.get_value() {
            queued.update_value(|q| q.push(message));
            return;
        }
        worker_slot.with_value(|w| {
            if let Some(w) = w {
                send(w, &message)
            }
        });
    };

    // Dataset preview: a small copy right away; the full fingerprint from the worker.
    let preview_ref = NodeRef::<leptos::html::Canvas>::new();
    let preview_error = RwSignal::new(None::<String>);
    let describe_timer = StoredValue::new_local(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    Effect::new(move |_| {
        let c = config.get();
        files_version.track();
        let file = loaded.get_value();
        match small_dataset(&c, file.as_deref(), 32) {
            Ok(ds) => {
                preview_error.set(None);
                if let Some(canvas) = preview_ref.get() {
                    let canvas: HtmlCanvasElement = canvas;
                    dom::paint(
                        &canvas,
                        &sample_grid(&ds, &Augment::from_config(&c), c.seed, 12, 4),
                    );
                }
            }
            Err(e) => preview_error.set(Some(e)),
        }
        fingerprint.set(None);
        describe_timer.update_value(|t| {
            if let Some(t) = t.take() {
                t.clear();
            }
        });
        let query = encode(&c);
        let handle = set_timeout_with_handle(
            move || {
                post(ToWorker::Describe {
                    query,
                    files: files.get_value(),
                })
            },
            std::time::Duration::from_millis(300),
        );
        describe_timer.set_value(handle.ok());
    });

    // Local features: the worker's cluster maps next to the images they came from.
    let local_ref = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let r = record.get();
        let Some(e) = r.evaluations.last() else {
            return;
        };
        let needed = e.local_images.iter().max().map_or(32, |m| m + 1);
        let Ok(ds) = small_dataset(
            &decode(&r.config).config,
            loaded.get_value().as_deref(),
            needed,
        ) else {
            return;
        };
        if let (Some(canvas), Some(picture)) = (local_ref.get(), local_features_picture(&ds, &r)) {
            dom::paint(&canvas, &picture);
        }
    });

    let start_config = move |c: &ExperimentConfig| {
        record.set(RunRecord::new(encode(c), String::new(), String::new()));
        status.set(Status::Starting);
        notice.set(None);
        post(ToWorker::Start {
            query: encode(c),
            files: files.get_value(),
            prefer_gpu: prefer_gpu.get_untracked(),
        });
    };
    let start = move |_| {
        stop_sweep(sweep_run, "a single run was started");
        start_config(&config.get_untracked());
    };
    let run_sweep = move |spec: SweepSpec| {
        let run = SweepRun::new(spec, &config.get_untracked());
        let first = run.current().map(|p| p.config.clone());
        sweep_run.set(Some(run));
        if let Some(c) = first {
            start_config(&c);
        }
    };
    let cancel_sweep = move |_: ()| {
        stop_sweep(sweep_run, "cancelled");
        post(ToWorker::Reset);
        status.set(Status::Idle);
    };
    let pause = move |_| match status.get_untracked() {
        Status::Running => {
            status.set(Status::Paused);
            post(ToWorker::Pause);
        }
        Status::Paused => {
            status.set(Status::Running);
            post(ToWorker::Resume);
        }
        _ => {}
    };
    let reset = move |_| {
        stop_sweep(sweep_run, "reset");
        post(ToWorker::Reset);
        status.set(Status::Idle);
        record.set(RunRecord::new(String::new(), String::new(), String::new()));
        progress.set((0, 0));
    };
    let copy_link = move |_| {
        let link = dom::href();
        spawn_local(async move {
            copied.set(dom::copy_text(&link).await);
        });
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let Some(list) = ev.data_transfer().and_then(|d| d.files()) else {
            return;
        };
        let picked: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        spawn_local(async move {
            let mut read = Vec::new();
            for file in picked {
                match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => read.push(DataFile {
                        name: file.name(),
                        bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
                    }),
                    Err(e) => {
                        file_note.set(Some(Err(format!("{}: cannot read ({e:?})", file.name()))));
                        return;
                    }
                }
            }
            // Checked here, in the browser, before anything uses them; never uploaded.
            match load_files(
                &DataFile::as_pairs(&read),
                config.get_untracked().image_size,
            ) {
                Ok(set) => {
                    file_note.set(Some(Ok(format!(
                        "{} — {} classes, used as base=file",
                        set.source,
                        set.classes()
                    ))));
                    files.set_value(read);
                    loaded.set_value(Some(std::sync::Arc::new(set)));
                    config.update(|c| {
                        c.base = BaseKind::File;
                        if !matches!(c.data, DataKind::RandBit | DataKind::DigitOnObjects) {
                            c.data = DataKind::RandBit;
                        }
                    });
                    files_version.update(|v| *v += 1);
                }
                Err(e) => file_note.set(Some(Err(e.to_string()))),
            }
        });
    };

    // Chart series.
    let feature_names = move || {
        let r = record.get();
        r.evaluations
            .first()
            .map(|e| {
                e.probes
                    .iter()
                    .map(|p| p.feature.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let loss_series = Signal::derive(move || {
        let r = record.get();
        let pts = |f: fn(&crate::learn::train::StepMetrics) -> f32| {
            r.history.iter().map(|m| (m.step as f32, f(m))).collect()
        };
        let mut s = vec![
            Series::new("total", colour(0), pts(|m| m.loss)),
            Series::new("alignment", colour(1), pts(|m| m.alignment)),
            Series::new("distribution", colour(2), pts(|m| m.distribution)),
        ];
        if let Some(p) = pinned.get() {
            s.push(
                Series::new(
                    "pinned total",
                    "#888",
                    p.history.iter().map(|m| (m.step as f32, m.loss)).collect(),
                )
                .dashed(),
            );
        }
        s
    });
    let probe_series = Signal::derive(move || {
        let r = record.get();
        let names = feature_names();
        let mut s = Vec::new();
        for (i, name) in names.iter().enumerate() {
            s.push(Series::new(
                format!("{name} train"),
                colour(i),
                r.history
                    .iter()
                    .filter_map(|m| m.probe_train_acc.get(i).map(|a| (m.step as f32, *a)))
                    .collect(),
            ));
            s.push(Series::new(
                format!("{name} test"),
                colour(i + 4),
                r.evaluations
                    .iter()
                    .map(|e| (e.step as f32, e.probes[i].online_test_acc))
                    .collect(),
            ));
            if let Some(e) = r.evaluations.last() {
                let last = r.history.last().map_or(e.step, |m| m.step).max(1) as f32;
                s.push(
                    Series::new(
                        format!("{name} chance"),
                        colour(i),
                        vec![(0.0, e.probes[i].chance), (last, e.probes[i].chance)],
                    )
                    .dashed(),
                );
            }
            if let Some(p) = pinned.get() {
                s.push(
                    Series::new(
                        format!("pinned {name}"),
                        "#888",
                        p.evaluations
                            .iter()
                            .filter_map(|e| {
                                e.probes.get(i).map(|q| (e.step as f32, q.online_test_acc))
                            })
                            .collect(),
                    )
                    .dashed(),
                );
            }
        }
        s
    });
    let contrastive_series = Signal::derive(move || {
        let r = record.get();
        vec![Series::new(
            "contrastive top-1",
            colour(0),
            r.history
                .iter()
                .map(|m| (m.step as f32, m.contrastive_acc))
                .collect(),
        )]
    });
    let geometry_series = Signal::derive(move || {
        let r = record.get();
        vec![
            Series::new(
                "alignment",
                colour(1),
                r.history
                    .iter()
                    .map(|m| (m.step as f32, m.align_metric))
                    .collect(),
            ),
            Series::new(
                "uniformity",
                colour(2),
                r.history
                    .iter()
                    .map(|m| (m.step as f32, m.uniformity))
                    .collect(),
            ),
        ]
    });
    let speed_series = Signal::derive(move || {
        let r = record.get();
        vec![
            Series::new(
                "steps/s",
                colour(0),
                r.throughput
                    .iter()
                    .map(|t| (t.step as f32, t.steps_per_s))
                    .collect(),
            ),
            Series::new(
                "images/s / 100",
                colour(3),
                r.throughput
                    .iter()
                    .map(|t| (t.step as f32, t.images_per_s / 100.0))
                    .collect(),
            ),
        ]
    });
    let embedding = Signal::derive(move || {
        let r = record.get();
        let f = embed_feature.get();
        r.evaluations
            .last()
            .map(|e| {
                e.embedding
                    .iter()
                    .zip(&e.embedding_labels)
                    .map(|(p, l)| (*p, l.get(f).copied().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    });
    let similarity = Signal::derive(move || {
        record
            .get()
            .evaluations
            .last()
            .map(|e| e.similarity.clone())
            .unwrap_or_default()
    });

    let status_text = move || match status.get() {
        Status::Idle => "idle".to_string(),
        Status::Starting => "starting…".into(),
        Status::Running => format!("training step {} / {}", progress.get().0, progress.get().1),
        Status::Paused => format!("paused at step {}", progress.get().0),
        Status::Finished => format!("finished {} steps", progress.get().1),
        Status::Failed(e) => format!("stopped: {e}"),
    };
    let final_table = move || {
        let r = record.get();
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
            let ari = e.local.iter().map(|l| format!("block {}: {:.3}", l.block, l.ari)).collect::<Vec<_>>().join(", ");
            view! {
                <table class="probes" id="probe-table">
                    <tr><th>{format!("feature (step {})", e.step)}</th><th>"online"</th><th>"offline"</th><th>"kNN"</th><th>"chance"</th></tr>
                    {rows}
                </table>
                <p class="ari">{if ari.is_empty() { String::new() } else { format!("ARI vs true masks — {ari}") }}</p>
            }
        })
    };

    view! {
        <header>
            <h1>"Contrastive Playground"</h1>
            <span class="badge" id="backend-badge" title=move || badge.get().map(|b| b.reason).unwrap_or_default()>
                {move || match badge.get() {
                    None => "backend: not started".to_string(),
                    Some(b) => format!("{} · {}", if b.kind == BackendKind::Wgpu { "WebGPU" } else { "CPU" }, b.adapter),
                }}
            </span>
            <label class="gpu-toggle"><input type="checkbox" id="prefer-gpu" prop:checked=move || prefer_gpu.get()
                on:change=move |ev| prefer_gpu.set(event_target_checked(&ev)) />"use WebGPU"</label>
            <button id="copy-link" on:click=copy_link>{move || if copied.get() { "Link copied" } else { "Copy link" }}</button>
        </header>
        <Show when=move || !warnings.get().is_empty()>
            <div class="warning" id="url-warnings">
                <strong>"Some link parameters were not used:"</strong>
                <ul>{move || warnings.get().into_iter().map(|w: ParamWarning| view! { <li>{w.to_string()}</li> }).collect_view()}</ul>
                <button id="dismiss-warnings" on:click=move |_| warnings.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
        <main>
            <aside>
                <PresetMenu config=config sweep=sweep_spec chosen=chosen_preset />
                <Controls config=config />
            </aside>
            <section class="middle">
                <h2>"Dataset"</h2>
                <canvas node_ref=preview_ref id="preview"></canvas>
                <p id="fingerprint">{move || match fingerprint.get() {
                    Some((fp, summary)) => format!("fingerprint: {fp} ({summary})"),
                    None => "fingerprint: computing…".into(),
                }}</p>
                {move || preview_error.get().map(|e| view! { <p class="error">{e}</p> })}
                <div class="drop" id="drop-zone" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
                    "Drop MNIST IDX (images + labels), CIFAR-10 .bin or image files here — read in your browser, never uploaded."
                </div>
                {move || file_note.get().map(|n| match n {
                    Ok(s) => view! { <p class="ok">{s}</p> }.into_any(),
                    Err(e) => view! { <p class="error" id="file-error">{e}</p> }.into_any(),
                })}
                <h2>"Local features"</h2>
                <p class="hint">"Per block (rows, earlier = finer): test image, then its K-means cluster map."</p>
                <canvas node_ref=local_ref id="local-features"></canvas>
                {move || {
                    let r = record.get();
                    r.evaluations.last().filter(|e| e.local.is_empty()).map(|_| view! {
                        <p class="hint">"This dataset has no object masks: choose objects, digit_on_objects, multidigits, colour_shape or scenes to see local features and their ARI."</p>
                    })
                }}
                <h2>"Embedding"</h2>
                <div class="pair">
                    <div>
                        <select id="embed-feature" on:change=move |ev| embed_feature.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {move || feature_names().into_iter().enumerate().map(|(i, n)| view! { <option value=i.to_string()>{format!("colour by {n}")}</option> }).collect_view()}
                        </select>
                        <Scatter id="embedding" points=embedding />
                    </div>
                    <div><p class="hint">"similarity of 2 views × 16 test images"</p><Heatmap id="similarity" values=similarity /></div>
                </div>
            </section>
            <section class="right">
                <div class="buttons">
                    <button id="train" on:click=start>"Train"</button>
                    <button id="pause" on:click=pause>{move || if status.get() == Status::Paused { "Resume" } else { "Pause" }}</button>
                    <button id="reset" on:click=reset>"Reset"</button>
                    <button id="pin" title="Keep this run's curves and draw the next run's over them"
                        on:click=move |_| pinned.set(Some(record.get_untracked()))>"Pin run (A/B)"</button>
                    <button id="unpin" disabled=move || pinned.with(|p| p.is_none()) on:click=move |_| pinned.set(None)>"Unpin"</button>
                </div>
                {move || pinned.with(|p| p.as_ref().map(|p| view! {
                    <p class="hint" id="pinned-note">{format!("A/B: dashed grey = pinned run {}", p.config)}</p>
                }))}
                <p id="status" class=move || if matches!(status.get(), Status::Failed(_)) { "error" } else { "" }>{status_text}</p>
                {move || notice.get().map(|n| view! { <p class="notice">{n}</p> })}
                <LineChart id="chart-loss" title="Loss: total = alignment + distribution" series=loss_series />
                <LineChart id="chart-probes" title="Linear probe accuracy per feature (suppression)" series=probe_series y_range=(0.0, 1.0) />
                {final_table}
                <SweepPanel sweep=sweep_spec run=sweep_run on_run=run_sweep on_cancel=cancel_sweep />
                <LineChart id="chart-contrastive" title="Contrastive accuracy" series=contrastive_series y_range=(0.0, 1.0) />
                <LineChart id="chart-geometry" title="Alignment and uniformity" series=geometry_series />
                <LineChart id="chart-speed" title="Throughput" series=speed_series />
                <div class="buttons">
                    <button id="export-csv" on:click=move |_| {
                        let r = record.get_untracked();
                        dom::download("metrics.csv", history_csv(&r, &feature_names()).as_bytes(), "text/csv");
                    }>"Export CSV"</button>
                    <button id="export-json" on:click=move |_| {
                        let r = record.get_untracked();
                        dom::download("run.json", serde_json::to_string_pretty(&r).unwrap_or_default().as_bytes(), "application/json");
                    }>"Export JSON"</button>
                    <button id="export-png" on:click=move |_| {
                        for id in ["chart-loss", "chart-probes", "chart-contrastive", "chart-geometry", "chart-speed"] {
                            dom::svg_to_png(id, &format!("{id}.png"));
                        }
                    }>"Charts as PNG"</button>
                </div>
            </section>
        </main>
        <span id="running-query" hidden>{move || running_query.get()}</span>
        <span id="first-loss" hidden>{move || record.get().history.first().map(|m| m.loss.to_string()).unwrap_or_default()}</span>
    }
}

/// Marks a running sweep as stopped (a failed or cancelled run ends the grid).
fn stop_sweep(run: RwSignal<Option<SweepRun>>, why: &str) {
    if run.with_untracked(|r| r.as_ref().is_some_and(|r| r.active)) {
        run.update(|r| {
            if let Some(r) = r {
                r.active = false;
                r.stopped = Some(why.to_string());
            }
        });
    }
}

/// Mounts the app. Called by the binary's `main` on wasm32.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
