//! The worker's model files: the finished run's model saved as a file, a file the page loaded
//! kept (checked whole first, so a bad file changes nothing), and that model evaluated on the
//! dataset of any settings whose images fit its network.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::worker_state::{State, choose_device, dataset_for, post};
use crate::learn::model_file::{ModelFile, evaluate_saved, with_architecture};
use crate::protocol::{DataFile, FromWorker, ModelSummary, RunId};
use crate::url::{decode, encode};

/// The model of finished run `run` as a file (taken out of the state while it is read, so no
/// borrow is held across the read).
pub async fn save(state: Rc<RefCell<State>>, run: RunId, link: String) {
    let taken = state.borrow_mut().finished.take();
    let Some((finished, training)) = taken.filter(|(r, _)| *r == run) else {
        let why = "the run's model is no longer in the worker: train again to save it".into();
        return post(&FromWorker::ModelSaved {
            run,
            file: Err(why),
        });
    };
    let file = training
        .trainer()
        .model_file(&link)
        .await
        .map(|m| DataFile {
            name: format!("model-{}.safetensors", training.record().fingerprint),
            bytes: m.to_bytes(),
        })
        .map_err(|e| e.to_string());
    state.borrow_mut().finished = Some((finished, training));
    post(&FromWorker::ModelSaved { run, file });
}

/// Keeps a model file, or says why it is refused.
pub fn load(state: &Rc<RefCell<State>>, file: DataFile) {
    let model = match ModelFile::from_bytes(&file.bytes) {
        Ok(m) => {
            let summary = ModelSummary {
                name: file.name.clone(),
                link: m.link().to_string(),
                summary: m.summary(),
            };
            state.borrow_mut().model = Some((file.name, m));
            Ok(summary)
        }
        Err(e) => Err(format!("{}: {e}", file.name)),
    };
    post(&FromWorker::ModelLoaded { model });
}

/// Evaluates the kept model on the dataset of `query` (its network from the file's link).
pub async fn evaluate(state: Rc<RefCell<State>>, run: RunId, query: String, prefer_gpu: bool) {
    let error = |message: String| {
        post(&FromWorker::Error {
            run,
            message,
            device_lost: false,
        })
    };
    let Some((name, model)) = state.borrow().model.clone() else {
        return error("no model is loaded".into());
    };
    let own = decode(model.link()).config;
    let asked = with_architecture(&own, &decode(&query).config);
    let (config, ds) = match dataset_for(&state, &encode(&asked)) {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    let (kind, device, adapter, reason) = choose_device(&state, prefer_gpu).await;
    post(&FromWorker::Backend {
        run,
        kind,
        adapter,
        reason,
    });
    match evaluate_saved(&config, Arc::new(ds), kind, &device, &model).await {
        Ok((record, _)) => post(&FromWorker::Evaluated {
            run,
            record: Box::new(record),
        }),
        Err(e) => error(format!("{name}: {e}")),
    }
}
