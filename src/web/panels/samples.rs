//! A finding's sample grid in the article: the first images of its dataset as the sweep's
//! last point makes them (where the construction shows most), each as its two views with its
//! labels, drawn by the same code as the dataset panel.

use leptos::prelude::*;

use super::preview_dataset;
use crate::data::augment::Augment;
use crate::presets::Preset;
use crate::render::sample_grid;
use crate::web::dom;

/// Samples shown per finding.
const SHOWN: usize = 6;

#[component]
pub fn FindingSamples(
    /// The finding whose dataset is drawn.
    preset: &'static Preset,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else {
            return;
        };
        let Some(point) = preset.sweep_spec().points(&preset.small_experiment()).pop() else {
            return;
        };
        let mut c = point.config;
        // A few samples need only a small pool of DigitOnObjects' digits.
        c.unique_digits = c.unique_digits.min(64);
        if let Some(Ok(ds)) = preview_dataset(&c, 32) {
            let picture = sample_grid(&ds, &Augment::from_config(&c), c.seed, SHOWN, SHOWN);
            dom::paint(&canvas, &picture);
        }
    });
    let label = format!(
        "the first samples of this finding's dataset ({}), each as its two augmented views with its labels",
        preset.sweep_spec().label(
            &preset
                .sweep_spec()
                .axes
                .iter()
                .map(|a| a.values.last().cloned().unwrap_or_default())
                .collect::<Vec<_>>()
        )
    );
    view! {
        <canvas node_ref=canvas class="finding-samples" role="img" aria-label=label></canvas>
    }
}
