//! The link to the training worker: starts it, holds messages until it says Ready, posts what
//! the page sends, and replaces a worker that does not start, dies, or loses its GPU device.
//! Everything the worker says, and the news that it was lost, goes to one handler: the page's
//! controller, which decides what that means for the run.
//!
//! There are two workers and one runs at a time: the CPU worker (flex only) loads with the page;
//! the WebGPU worker (three times larger) is loaded in its place when a run wants WebGPU and the
//! browser gave an adapter when the page asked at start-up.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::dom;
use super::gpu::{adapter_name, navigator_gpu};
use crate::protocol::{DataFile, FromWorker, ToWorker};

/// How long a new worker may take to say Ready before it is replaced.
const READY_TIMEOUT_MS: u64 = 30_000;

/// Which of the two worker builds runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerKind {
    Cpu,
    Gpu,
}

impl WorkerKind {
    fn loader(self) -> &'static str {
        match self {
            WorkerKind::Cpu => "worker_cpu_loader.js",
            WorkerKind::Gpu => "worker_gpu_loader.js",
        }
    }
}

/// What the link tells its handler.
pub enum LinkEvent {
    /// A message from the worker (on Ready, what waited has already been sent).
    Message(FromWorker),
    /// The worker stopped, or did not say Ready in time: it should be replaced.
    Lost(String),
    /// The worker cannot be started, or sent something unreadable.
    Broken(String),
}

type Handler = Rc<dyn Fn(LinkEvent)>;

#[derive(Clone, Copy)]
pub struct WorkerLink {
    worker: StoredValue<Option<Worker>, LocalStorage>,
    kind: StoredValue<WorkerKind>,
    /// Whether `navigator.gpu` gave an adapter (asked once at start-up; false until it answers).
    gpu_adapter: StoredValue<bool>,
    /// Messages posted before the worker's wasm has loaded would be lost: they wait for Ready.
    ready: StoredValue<bool>,
    queued: StoredValue<Vec<ToWorker>>,
    /// The user's files, re-sent to a replacement worker (never on a knob change).
    files: StoredValue<Vec<DataFile>, LocalStorage>,
    /// The model file the page loaded, re-sent to a replacement worker too.
    model: StoredValue<Option<DataFile>, LocalStorage>,
    /// Bumped per worker, so a late timeout or error of a replaced worker does nothing.
    generation: StoredValue<u32>,
    handler: StoredValue<Option<Handler>, LocalStorage>,
}

fn send(worker: &Worker, message: &ToWorker) {
    if let Ok(value) = serde_wasm_bindgen::to_value(message) {
        let _ = worker.post_message(&value);
    }
}

impl WorkerLink {
    /// The link, with no worker yet ([`start`](Self::start) starts one).
    pub fn new() -> Self {
        Self {
            worker: StoredValue::new_local(None),
            kind: StoredValue::new(WorkerKind::Cpu),
            gpu_adapter: StoredValue::new(false),
            ready: StoredValue::new(false),
            queued: StoredValue::new(Vec::new()),
            files: StoredValue::new_local(Vec::new()),
            model: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            handler: StoredValue::new_local(None),
        }
    }

    /// Starts the CPU worker; what it says goes to `handler`. Asks once for a WebGPU adapter.
    pub fn start(self, handler: impl Fn(LinkEvent) + 'static) {
        self.handler.set_value(Some(Rc::new(handler)));
        self.spawn();
        if let Some(gpu) = navigator_gpu() {
            wasm_bindgen_futures::spawn_local(async move {
                let found = adapter_name(&gpu).await.is_ok();
                self.gpu_adapter.set_value(found);
            });
        }
    }

    fn tell(self, event: LinkEvent) {
        if let Some(handler) = self.handler.get_value() {
            handler(event);
        }
    }

    /// Whether the browser gave a WebGPU adapter.
    pub fn gpu_adapter(self) -> bool {
        self.gpu_adapter.get_value()
    }

    /// Which worker runs.
    pub fn kind(self) -> WorkerKind {
        self.kind.get_value()
    }

    /// Whether the running worker said Ready.
    pub fn is_ready(self) -> bool {
        self.ready.get_value()
    }

    /// Makes `kind` the running worker (ending the other one; the user's files follow). What
    /// waited for the old worker (a Describe, a Reset) goes to the new one.
    pub fn use_kind(self, kind: WorkerKind) {
        if self.kind.get_value() == kind {
            return;
        }
        self.terminate();
        self.kind.set_value(kind);
        self.spawn();
    }

    /// Ends the worker and starts a fresh one on the CPU.
    pub fn restart_on_cpu(self) {
        self.terminate();
        self.kind.set_value(WorkerKind::Cpu);
        self.spawn();
    }

    fn terminate(self) {
        self.worker.update_value(|w| {
            if let Some(w) = w.take() {
                w.terminate();
            }
        });
    }

    fn spawn(self) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let url = dom::asset_url(self.kind.get_value().loader());
        let worker = match Worker::new(&url) {
            Ok(w) => w,
            Err(e) => {
                let why = format!("cannot start the training worker: {e:?}");
                return self.tell(LinkEvent::Broken(why));
            }
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<FromWorker>(ev.data()) {
                Ok(m) => self.receive(m),
                Err(e) => self.tell(LinkEvent::Broken(format!(
                    "bad message from the worker: {e}"
                ))),
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        // A dead worker (out of memory, a panic) must not take the page with it.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            if self.generation.get_value() == generation {
                let why = format!("the training worker stopped ({})", ev.message());
                self.tell(LinkEvent::Lost(why));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.ready.set_value(false);
        self.worker.set_value(Some(worker));
        set_timeout(
            move || {
                if self.generation.get_value() == generation && !self.ready.get_value() {
                    let why = "the training worker did not start in 30 s".to_string();
                    self.tell(LinkEvent::Lost(why));
                }
            },
            std::time::Duration::from_millis(READY_TIMEOUT_MS),
        );
        // A replacement worker gets the user's files and model again.
        if let Some(file) = self.model.get_value() {
            self.queued
                .update_value(|q| q.insert(0, ToWorker::LoadModel { file }));
        }
        let files = self.files.get_value();
        if !files.is_empty() {
            self.queued
                .update_value(|q| q.insert(0, ToWorker::SetFiles { files }));
        }
    }

    fn receive(self, message: FromWorker) {
        if matches!(message, FromWorker::Ready { .. }) {
            self.flush();
        }
        self.tell(LinkEvent::Message(message));
    }

    /// The worker said Ready: send what waited.
    fn flush(self) {
        self.ready.set_value(true);
        let mut waiting = Vec::new();
        self.queued
            .update_value(|q| std::mem::swap(q, &mut waiting));
        self.worker.with_value(|w| {
            if let Some(w) = w {
                waiting.iter().for_each(|m| send(w, m));
            }
        });
    }

    /// Sends `message`, starting a new worker if the last one is gone.
    pub fn post(self, message: ToWorker) {
        if self.worker.with_value(|w| w.is_none()) {
            self.spawn();
        }
        if !self.ready.get_value() {
            self.queued.update_value(|q| q.push(message));
            return;
        }
        self.worker.with_value(|w| {
            if let Some(w) = w {
                send(w, &message)
            }
        });
    }

    /// Hands a model file to the worker (it checks and keeps it).
    pub fn load_model(self, file: DataFile) {
        self.model.set_value(Some(file.clone()));
        self.post(ToWorker::LoadModel { file });
    }

    /// The worker refused the model file: a replacement worker is not to get it.
    pub fn forget_model(self) {
        self.model.set_value(None);
    }

    /// Hands the user's files to the worker (once; it decodes and keeps them).
    pub fn set_files(self, files: Vec<DataFile>) {
        self.files.set_value(files.clone());
        self.post(ToWorker::SetFiles { files });
    }
}
