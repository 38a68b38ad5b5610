//! rayon's global pool for the threaded CPU worker: one Web Worker per extra thread, and the
//! training worker's own thread in the pool too (rayon's `use_current_thread`). The parallel
//! parts the training loop starts are then shared from its own queue, and the thread that
//! started them helps and waits hot, instead of handing every part to the pool and sleeping
//! until a pool thread wakes it (two cross-thread wake-ups per part, slow in browsers). And
//! the other threads never sleep in rayon's own idle loop, which a browser wakes slowly: each
//! runs [`keep_busy`], taking work without pause while the training loop is in a step
//! ([`crate::par::hot`]) and for a moment after (the pause between two steps), and napping
//! between looks otherwise.
//!
//! Adapted from `wasm-bindgen-rayon` 1.3.0 (Copyright 2022 Google Inc., Apache-2.0), whose pool
//! leaves the calling thread out; its JavaScript half is `thread_pool.js` beside this file.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use js_sys::{JsString, Promise};
use rayon::{ThreadBuilder, ThreadPoolBuilder};
use wasm_bindgen::prelude::*;

/// What the JavaScript half needs to start the pool's workers, then the pool itself.
#[wasm_bindgen]
pub struct PoolBuilder {
    /// Web Workers to start (the pool's threads besides the calling one).
    workers: usize,
    sender: SyncSender<ThreadBuilder>,
    receiver: Mutex<Receiver<ThreadBuilder>>,
}

#[wasm_bindgen(module = "/src/web/thread_pool.js")]
extern "C" {
    #[wasm_bindgen(js_name = startWorkers)]
    fn start_workers(module: JsValue, memory: JsValue, builder: PoolBuilder) -> Promise;
}

#[wasm_bindgen]
impl PoolBuilder {
    /// This module's script, which each worker imports.
    #[wasm_bindgen(js_name = mainJS)]
    pub fn main_js(&self) -> JsString {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
            static URL: JsString;
        }
        URL.with(Clone::clone)
    }

    #[wasm_bindgen(js_name = numWorkers)]
    pub fn num_workers(&self) -> usize {
        self.workers
    }

    /// Where the workers take their rayon thread from (see [`cpg_pool_start_worker`]).
    pub fn receiver(&self) -> *const Mutex<Receiver<ThreadBuilder>> {
        &self.receiver
    }

    /// Builds the global pool, the calling thread its thread 0. Called by the JavaScript half
    /// on the training worker's thread once every Web Worker waits for its rayon thread.
    pub fn build(&mut self) {
        ThreadPoolBuilder::new()
            .num_threads(self.workers + 1)
            .use_current_thread()
            .spawn_handler(|thread| {
                // Every worker is started and waiting: the channel has a reader for each.
                self.sender.send(thread).unwrap_throw();
                Ok(())
            })
            .build_global()
            .unwrap_throw();
        // Every thread but this one (which returns at once) settles in `keep_busy` for good.
        rayon::spawn_broadcast(|context| {
            if context.index() != 0 {
                keep_busy()
            }
        });
    }
}

/// Starts `workers` Web Workers and builds the pool with them and the calling thread (resolves
/// once built).
#[wasm_bindgen(js_name = initThreadPool)]
pub fn init_thread_pool(workers: usize) -> Promise {
    let (sender, receiver) = sync_channel(workers);
    start_workers(
        wasm_bindgen::module(),
        wasm_bindgen::memory(),
        PoolBuilder {
            workers,
            sender,
            receiver: Mutex::new(receiver),
        },
    )
}

/// A pool worker's body: takes its rayon thread and runs it (never returns).
#[wasm_bindgen]
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn cpg_pool_start_worker(receiver: *const Mutex<Receiver<ThreadBuilder>>) {
    // SAFETY: the pointer is `PoolBuilder::receiver` of the builder the JavaScript half keeps
    // until every worker has taken its thread (`build` returns after the last send).
    let receiver = unsafe { &*receiver };
    let thread = receiver.lock().unwrap_throw().recv().unwrap_throw();
    thread.run()
}

/// How long an idle pool thread keeps looking for work without pause after its last part or
/// the end of the last step, before it starts to nap: longer than the pause between two steps
/// (the worker posts its events and reads its messages there, about a millisecond), so that
/// the next step's first parts find the pool awake.
const GRACE_MS: f64 = 20.0;

/// How long an idle pool thread first naps between looks for work once the grace is over;
/// each look that finds nothing doubles it, up to [`LONGEST_NAP`].
const NAP: Duration = Duration::from_micros(200);

/// The longest nap: an open page with nothing to train wakes each pool thread 50 times a second.
const LONGEST_NAP: Duration = Duration::from_millis(20);

/// A pool thread's loop in place of rayon's idle loop: run whatever work is pending; when there
/// is none, look again at once while a step runs and for [`GRACE_MS`] after, else after a nap
/// that grows while nothing comes. A sleeping rayon thread is woken for each parallel part,
/// and in a browser that wake-up can take longer than the part; parts wait for a thread in
/// here only while it runs another part.
fn keep_busy() -> ! {
    let mut nap = NAP;
    // When this thread was last found idle after running a part or seeing a step run
    // (`Date.now()`, ms); `None` while it is busy.
    let mut idle_since: Option<f64> = None;
    loop {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {
                nap = NAP;
                idle_since = None;
            }
            _ if crate::par::is_hot() => {
                nap = NAP;
                idle_since = None;
                std::hint::spin_loop()
            }
            _ => {
                let now = js_sys::Date::now();
                if now - *idle_since.get_or_insert(now) < GRACE_MS {
                    std::hint::spin_loop()
                } else {
                    std::thread::sleep(nap);
                    nap = (nap * 2).min(LONGEST_NAP);
                }
            }
        }
    }
}
