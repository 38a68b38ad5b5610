//! The link to the training worker: starts it, holds messages until it says Ready, posts what
//! the page sends, and replaces a worker that does not start, dies, or loses its GPU device.
//! Everything the worker says, and the news that it was lost, goes to one handler: the page's
//! controller, which decides what that means for the run.
//!
//! There are two workers and one runs at a time: the CPU worker (flex only) loads with the page;
//! the WebGPU worker (three times larger) is loaded in its place when a run wants WebGPU and the
//! browser gave an adapter when the page asked at start-up. The CPU worker comes in two builds:
//! on every core (rayon on Web Workers) where the page is cross-origin isolated and has
//! `SharedArrayBuffer`, on one thread otherwise, or once the threaded one failed to start.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

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
    /// The loader script of this kind's build, and whether it is a module worker.
    fn loader(self, threaded: bool) -> (&'static str, bool) {
        match self {
            WorkerKind::Cpu if threaded => ("worker_cpu_mt_loader.js", true),
            WorkerKind::Cpu => ("worker_cpu_loader.js", false),
            WorkerKind::Gpu => ("worker_gpu_loader.js", false),
        }
    }
}

/// Whether this page can run the threaded CPU worker: cross-origin isolated (COOP and COEP, from
/// the server or `coi-serviceworker.js`), so that `SharedArrayBuffer` exists.
fn threads_available() -> bool {
    let global = js_sys::global();
    let isolated = js_sys::Reflect::get(&global, &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let shared = js_sys::Reflect::get(&global, &"SharedArrayBuffer".into())
        .map(|v| v.is_function())
        .unwrap_or(false);
    isolated && shared
}

/// How long the page waits for `coi-serviceworker.js` to reload it isolated before it starts
/// the one-thread worker instead.
const ISOLATION_WAIT_MS: i32 = 3_000;

/// Whether `coi-serviceworker.js` is about to reload this page cross-origin isolated: the page
/// is not isolated, the script is on it, and no service worker controls the page yet (one that
/// does and left it unisolated has failed). Starting the CPU worker then would download the
/// one-thread worker only to throw it away.
fn isolation_pending() -> bool {
    let Ok(navigator) = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()) else {
        return false;
    };
    let container = js_sys::Reflect::get(&navigator, &"serviceWorker".into())
        .ok()
        .filter(|c| c.is_object());
    let uncontrolled = container.as_ref().is_some_and(|c| {
        js_sys::Reflect::get(c, &"controller".into()).is_ok_and(|v| v.is_null() || v.is_undefined())
    });
    let script = dom::window()
        .document()
        .and_then(|d| {
            d.query_selector("script[src$='coi-serviceworker.js']")
                .ok()
                .flatten()
        })
        .is_some();
    !threads_available() && dom::window().is_secure_context() && uncontrolled && script
}

/// Resolves when a service worker is active for this page, or after `ms`.
async fn service_worker_ready(ms: i32) {
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let _ = dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let ready = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"serviceWorker".into()))
        .and_then(|c| js_sys::Reflect::get(&c, &"ready".into()))
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    let race = match ready {
        Some(ready) => js_sys::Promise::race(&js_sys::Array::of2(&ready, &timeout)),
        None => timeout,
    };
    let _ = wasm_bindgen_futures::JsFuture::from(race).await;
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
    /// Whether the CPU worker is the threaded build (the page is isolated and it has not failed).
    threaded: StoredValue<bool>,
    /// The first worker waits for the isolating service worker (messages queue meanwhile).
    waiting: StoredValue<bool>,
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
            threaded: StoredValue::new(threads_available()),
            waiting: StoredValue::new(false),
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
        if isolation_pending() {
            self.waiting.set_value(true);
            wasm_bindgen_futures::spawn_local(async move {
                service_worker_ready(ISOLATION_WAIT_MS).await;
                // Still here: the reload did not come (or came too late); one thread it is.
                self.waiting.set_value(false);
                if self.worker.with_value(|w| w.is_none()) {
                    self.spawn();
                }
            });
        } else {
            self.spawn();
        }
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
        let threaded = self.kind.get_value() == WorkerKind::Cpu && self.threaded.get_value();
        let (loader, module) = self.kind.get_value().loader(threaded);
        let url = dom::asset_url(loader);
        let started = if module {
            let options = WorkerOptions::new();
            options.set_type(WorkerType::Module);
            Worker::new_with_options(&url, &options)
        } else {
            Worker::new(&url)
        };
        let worker = match started {
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
                // A threaded worker that dies before it is ready (no nested workers, too little
                // memory for the shared heap) is replaced by the single-thread one.
                if threaded && !self.ready.get_value() {
                    self.threaded.set_value(false);
                }
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
                    if threaded {
                        self.threaded.set_value(false);
                    }
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
        if self.worker.with_value(|w| w.is_none()) && !self.waiting.get_value() {
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
