//! The dataset panel: a preview grid of the first samples (two views each, with labels), the
//! full dataset's fingerprint from the worker, and the drop zone for the user's own files.

use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use web_sys::HtmlCanvasElement;

use crate::data::augment::Augment;
use crate::data::loaders::load_files;
use crate::params::{BaseKind, DataKind};
use crate::protocol::{DataFile, ToWorker};
use crate::render::sample_grid;
use crate::url::encode;
use crate::web::client::WorkerClient;
use crate::web::dom;
use crate::web::state::PageState;

/// Reads the dropped files, checks them here (nothing is uploaded) and makes them the base set.
fn take_files(state: PageState, picked: Vec<web_sys::File>) {
    spawn_local(async move {
        let mut read = Vec::new();
        for file in picked {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => read.push(DataFile {
                    name: file.name(),
                    bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
                }),
                Err(e) => {
                    let message = format!("{}: cannot read ({e:?})", file.name());
                    state.file_note.set(Some(Err(message)));
                    return;
                }
            }
        }
        let image_size = state.config.get_untracked().image_size;
        match load_files(&DataFile::as_pairs(&read), image_size) {
            Ok(set) => {
                state.file_note.set(Some(Ok(format!(
                    "{} — {} classes, used as base=file",
                    set.source,
                    set.classes()
                ))));
                state.files.set_value(read);
                state.loaded.set_value(Some(Arc::new(set)));
                state.config.update(|c| {
                    c.base = BaseKind::File;
                    if !matches!(c.data, DataKind::RandBit | DataKind::DigitOnObjects) {
                        c.data = DataKind::RandBit;
                    }
                });
                state.files_version.update(|v| *v += 1);
            }
            Err(e) => state.file_note.set(Some(Err(e.to_string()))),
        }
    });
}

#[component]
pub fn DatasetPanel() -> impl IntoView {
    let state = expect_context::<PageState>();
    let client = expect_context::<WorkerClient>();
    let preview_ref = NodeRef::<leptos::html::Canvas>::new();
    let preview_error = RwSignal::new(None::<String>);
    let describe_timer = StoredValue::new_local(None::<TimeoutHandle>);
    // A small copy right away; the full fingerprint from the worker, once the knobs settle.
    Effect::new(move |_| {
        let c = state.config.get();
        state.files_version.track();
        match state.small_dataset(&c, 32) {
            Ok(ds) => {
                preview_error.set(None);
                if let Some(canvas) = preview_ref.get() {
                    let canvas: HtmlCanvasElement = canvas;
                    let grid = sample_grid(&ds, &Augment::from_config(&c), c.seed, 12, 4);
                    dom::paint(&canvas, &grid);
                }
            }
            Err(e) => preview_error.set(Some(e)),
        }
        state.fingerprint.set(None);
        describe_timer.update_value(|t| {
            if let Some(t) = t.take() {
                t.clear();
            }
        });
        let query = encode(&c);
        let handle = set_timeout_with_handle(
            move || {
                client.post(ToWorker::Describe {
                    query,
                    files: state.files.get_value(),
                })
            },
            std::time::Duration::from_millis(300),
        );
        describe_timer.set_value(handle.ok());
    });
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        let Some(list) = ev.data_transfer().and_then(|d| d.files()) else {
            return;
        };
        take_files(
            state,
            (0..list.length()).filter_map(|i| list.get(i)).collect(),
        );
    };
    view! {
        <h2>"Dataset"</h2>
        <canvas node_ref=preview_ref id="preview"></canvas>
        <p id="fingerprint">{move || match state.fingerprint.get() {
            Some((fp, summary)) => format!("fingerprint: {fp} ({summary})"),
            None => "fingerprint: computing…".into(),
        }}</p>
        {move || preview_error.get().map(|e| view! { <p class="error">{e}</p> })}
        <div class="drop" id="drop-zone" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
            "Drop MNIST IDX (images + labels), CIFAR-10 .bin or image files here — read in your browser, never uploaded."
        </div>
        {move || state.file_note.get().map(|n| match n {
            Ok(s) => view! { <p class="ok">{s}</p> }.into_any(),
            Err(e) => view! { <p class="error" id="file-error">{e}</p> }.into_any(),
        })}
    }
}
