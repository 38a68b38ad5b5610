//! Links that carry their result and models that survive the page: "Copy link with result"
//! after a run; a link with a result shows what it expects and, once its run ends, whether the
//! run reproduced it, the numbers side by side; the trained model downloaded as a safetensors
//! file (its link inside) and loaded back to be evaluated on any settings.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::data::loaders::MAX_FILE_BYTES;
use crate::protocol::DataFile;
use crate::url::encode;
use crate::url::result::{Comparison, ExpectedResult};
use crate::web::controller::RunController;
use crate::web::dom;
use crate::web::model_control::result_query;
use crate::web::state::{LinkState, RunView, Status};

/// "dataset 81db…, contrastive 0.934, digit 0.812, made on the CPU".
fn describe(e: &ExpectedResult) -> String {
    let mut parts = vec![
        format!("dataset {}", e.fingerprint),
        format!("contrastive {:.3}", e.contrastive),
    ];
    parts.extend(e.probes.iter().map(|(n, v)| format!("{n} {v:.3}")));
    format!("{}, made on {}", parts.join(", "), e.backend.name())
}

/// The comparison's numbers side by side.
fn comparison_table(c: &Comparison) -> impl IntoView + use<> {
    let rows = c
        .numbers
        .iter()
        .map(|n| {
            let got = n.got.map_or("—".to_string(), |g| format!("{g:.3}"));
            let mark = if c.agrees(n) { "same" } else { "different" };
            view! { <tr><th scope="row">{n.name.clone()}</th><td>{format!("{:.3}", n.expected)}</td><td>{got}</td><td>{mark}</td></tr> }
        })
        .collect_view();
    view! {
        <table class="probes" id="reproduction-table">
            <tr><th scope="col">"number"</th><th scope="col">"the link's"</th><th scope="col">"this run's"</th><th scope="col"></th></tr>
            {rows}
        </table>
    }
}

/// What a link with a result expects, and once its run has ended, whether it reproduced.
#[component]
pub fn ExpectedPanel() -> impl IntoView {
    let link = expect_context::<LinkState>();
    let run = expect_context::<RunView>();
    move || {
        let expected = link.expected()?;
        let ended = run.status.get() == Status::Finished
            && run.record.with(|r| r.config == encode(&link.config.get()));
        let outcome = ended.then(|| {
            let c = run.record.with(|r| expected.compare(r));
            let (class, word) = match c.reproduced() {
                true => ("ok", "Reproduced. "),
                false => ("error", "Different. "),
            };
            view! {
                <div id="reproduction" class=class role="status">
                    <p><strong>{word}</strong>{c.to_string()}</p>
                    {comparison_table(&c)}
                </div>
            }
        });
        Some(view! {
            <div class="expected" id="expected-result">
                <p><strong>"This link carries its run's result: "</strong>{describe(&expected)}
                    ". Press Train to see whether your run reproduces it."</p>
                {outcome}
            </div>
        })
    }
}

/// Reads a picked model file (checked for size before a byte is read) for the worker.
fn take_model(controller: RunController, picked: Vec<web_sys::File>) {
    let Some(file) = picked.into_iter().next() else {
        return;
    };
    if file.size() > MAX_FILE_BYTES as f64 {
        let why = format!(
            "{}: over the {} MB limit of a file",
            file.name(),
            MAX_FILE_BYTES >> 20
        );
        return controller.model_refused(why);
    }
    spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => controller.load_model(DataFile {
                name: file.name(),
                bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
            }),
            Err(e) => controller.model_refused(format!("{}: cannot be read ({e:?})", file.name())),
        }
    });
}

/// Copy link with result, Download model, Load model and Evaluate model.
#[component]
pub fn ModelPanel() -> impl IntoView {
    let run = expect_context::<RunView>();
    let controller = expect_context::<RunController>();
    let finished = move || run.status.get() == Status::Finished;
    let shown = RwSignal::new(None::<String>);
    let copy = move |_| {
        let link = format!(
            "{}?{}",
            dom::page_address(),
            run.record.with_untracked(result_query)
        );
        shown.set(Some(link.clone()));
        spawn_local(async move {
            dom::copy_text(&link).await;
        });
    };
    view! {
        <div class="model" id="model-panel">
            <div class="buttons">
                <button id="copy-result-link" disabled=move || !finished() on:click=copy
                    title="The link of the run on screen with its fingerprint and final numbers: whoever opens it sees whether their run reproduces them">
                    "Copy link with result"</button>
                <button id="save-model" disabled=move || !finished() on:click=move |_| controller.save_model()
                    title="The trained encoder, head and probes as one safetensors file, with the run's link inside">"Download model"</button>
                <button id="evaluate-model" disabled=move || run.model.get().is_none()
                    on:click=move |_| controller.evaluate_model()>"Evaluate the loaded model here"</button>
            </div>
            <label for="load-model">"Load a model (.safetensors from Download model or `train --save-model`): "</label>
            <input id="load-model" type="file" accept=".safetensors"
                on:change=move |ev| { let input: web_sys::HtmlInputElement = event_target(&ev); take_model(controller, dom::files_of(input.files())); } />
            {move || shown.get().map(|l| view! {
                <label for="result-link" class="caption">"The run's link with its result (copied):"</label>
                <input id="result-link" class="link-text" readonly prop:value=l />
            })}
            {move || run.model_note.get().map(|n| match n {
                Ok(s) => view! { <p class="ok" id="model-note" role="status">{s}</p> }.into_any(),
                Err(e) => view! { <p class="error" id="model-error" role="alert">{e}</p> }.into_any(),
            })}
        </div>
    }
}
