//! The dataset panel: a preview grid of the first samples (two views each, with labels), the
//! full dataset's fingerprint from the worker, and the user's own files (drop zone or file
//! picker), checked for size here and decoded in the worker.

use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlCanvasElement;

use super::preview_dataset;
use crate::data::augment::Augment;
use crate::data::loaders::MAX_FILE_BYTES;
use crate::protocol::DataFile;
use crate::render::{Picture, sample_grid};
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::state::{Files, LinkState};

/// Reads the chosen files (each checked for size before a byte is read) and hands them to the
/// worker, which decodes them. Nothing is uploaded.
fn take_files(files: Files, controller: RunController, picked: Vec<web_sys::File>) {
    if picked.is_empty() {
        return;
    }
    if let Some(big) = picked.iter().find(|f| f.size() > MAX_FILE_BYTES as f64) {
        files.file_note.set(Some(Err(format!(
            "{}: {:.0} MB is over the {} MB limit per file; nothing was read",
            big.name(),
            big.size() / 1e6,
            MAX_FILE_BYTES >> 20
        ))));
        return;
    }
    files
        .file_note
        .set(Some(Ok(format!("reading {} file(s)…", picked.len()))));
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
                    files.file_note.set(Some(Err(message)));
                    return;
                }
            }
        }
        controller.set_files(read);
    });
}

#[component]
pub fn DatasetPanel() -> impl IntoView {
    let (link, files) = (expect_context::<LinkState>(), expect_context::<Files>());
    let controller = expect_context::<RunController>();
    let preview_ref = NodeRef::<leptos::html::Canvas>::new();
    let preview_error = RwSignal::new(None::<String>);
    let describe_timer = StoredValue::new_local(None::<TimeoutHandle>);
    let paint = move |picture: &Picture| {
        if let Some(canvas) = preview_ref.get() {
            let canvas: HtmlCanvasElement = canvas;
            dom::paint(&canvas, picture);
        }
    };
    // A small copy right away; the full fingerprint from the worker, once the knobs settle.
    Effect::new(move |_| {
        let c = link.config.get();
        files.files_version.track();
        match preview_dataset(&c, 32) {
            Some(Ok(ds)) => {
                preview_error.set(None);
                paint(&sample_grid(&ds, &Augment::from_config(&c), c.seed, 12, 4));
            }
            Some(Err(e)) => preview_error.set(Some(e)),
            None => {} // the user's data: the worker draws it
        }
        files.fingerprint.set(None);
        describe_timer.update_value(|t| {
            if let Some(t) = t.take() {
                t.clear();
            }
        });
        let handle = set_timeout_with_handle(
            move || controller.describe(&c),
            std::time::Duration::from_millis(300),
        );
        describe_timer.set_value(handle.ok());
    });
    Effect::new(move |_| {
        if let Some(p) = files.file_preview.get() {
            paint(&p);
        }
    });
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        take_files(
            files,
            controller,
            dom::files_of(ev.data_transfer().and_then(|d| d.files())),
        );
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        take_files(files, controller, dom::files_of(input.files()));
    };
    view! {
        <h2>"Dataset"</h2>
        <p class="caption">"The first training images, each as the two augmented views the loss compares, with their labels (RandBit's bits as squares)."</p>
        <canvas node_ref=preview_ref id="preview" role="img" aria-label="sample grid: two augmented views of each of the first training images"></canvas>
        <p id="fingerprint">{move || match files.fingerprint.get() {
            Some((fp, summary)) => format!("fingerprint: {fp} ({summary})"),
            None => "fingerprint: computing…".into(),
        }}</p>
        {move || preview_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="drop" id="drop-zone" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
            <label for="file-picker">"Your own data: MNIST IDX (images + labels), CIFAR-10 .bin or image files — drop them here or "</label>
            <input id="file-picker" type="file" multiple on:change=on_pick />
            <span class="hint">" Read in your browser, never uploaded."</span>
        </div>
        {move || files.file_note.get().map(|n| match n {
            Ok(s) => view! { <p class="ok" id="file-note" role="status">{s}</p> }.into_any(),
            Err(e) => view! { <p class="error" id="file-error" role="alert">{e}</p> }.into_any(),
        })}
    }
}
