//! The page's model commands: the run on screen's model downloaded as a file (its link with
//! its result in the metadata), a model file loaded back (its link restored) and evaluated on
//! the settings on screen, and the link with the run's result.

use leptos::prelude::*;

use super::controller::RunController;
use super::dom;
use super::state::Status;
use super::worker_link::WorkerKind;
use crate::protocol::{DataFile, ModelSummary, ToWorker};
use crate::record::RunRecord;
use crate::url::result::ExpectedResult;
use crate::url::{decode, encode, with_result};

/// The link of a finished run with its result (the query, without the page's address).
pub fn result_query(record: &RunRecord) -> String {
    with_result(&record.config, &ExpectedResult::of(record))
}

impl RunController {
    /// Asks the worker for the model of the finished run on screen.
    pub fn save_model(self) {
        let link = self.run.record.with_untracked(result_query);
        self.run
            .model_note
            .set(Some(Ok("preparing the model file…".into())));
        self.worker.post(ToWorker::SaveModel {
            run: self.run.run_id.get_untracked(),
            link,
        });
    }

    pub(super) fn on_model_saved(self, file: Result<DataFile, String>) {
        self.run.model_note.set(Some(file.map(|f| {
            dom::download(&f.name, &f.bytes, "application/octet-stream");
            format!(
                "{} ({:.0} kB): the encoder, head and probes, with the run's link inside",
                f.name,
                f.bytes.len() as f64 / 1e3
            )
        })));
    }

    /// Hands a model file to the worker, which checks it whole before keeping it.
    pub fn load_model(self, file: DataFile) {
        self.run
            .model_note
            .set(Some(Ok(format!("checking {}…", file.name))));
        self.worker.load_model(file);
    }

    /// A model file refused before it reached the worker (too big, unreadable).
    pub fn model_refused(self, why: String) {
        self.run.model_note.set(Some(Err(why)));
    }

    /// A model was kept: its link is restored and it is evaluated on it. A refused file
    /// changes nothing but the note.
    pub(super) fn on_model_loaded(self, model: Result<ModelSummary, String>) {
        match model {
            // The same file again, to a replacement worker: nothing to do.
            Ok(m) if self.run.model.get_untracked().as_ref() == Some(&m) => {}
            Ok(m) => {
                self.run
                    .model_note
                    .set(Some(Ok(format!("loaded {}: {}", m.name, m.summary))));
                self.link.open(decode(&m.link));
                self.run.model.set(Some(m));
                self.evaluate_model();
            }
            Err(e) => {
                self.worker.forget_model();
                self.run.model_note.set(Some(Err(e)));
            }
        }
    }

    /// Evaluates the loaded model on the settings on screen (its network from the file).
    pub fn evaluate_model(self) {
        self.run.stop_sweep("a model is evaluated");
        let run = self.run.next_run();
        self.run.reset_run();
        self.run.status.set(Status::Evaluating);
        self.worker.post(ToWorker::Evaluate {
            run,
            query: encode(&self.link.config.get_untracked()),
            prefer_gpu: self.worker.kind() == WorkerKind::Gpu,
        });
    }

    pub(super) fn on_evaluated(self, record: RunRecord) {
        self.run.progress.set((0, 0));
        self.run.record.set(record);
        self.run.status.set(Status::Evaluated);
    }
}
