//! The local-features panel: per test image, its true objects and each block's cluster map,
//! and per block the foreground ARI of the trained encoder beside its two baselines (the same
//! encoder untrained, K-means on the raw pixels).

use leptos::prelude::*;

use super::preview_dataset;
use crate::render::local::local_features_picture;
use crate::url::decode;
use crate::web::dom;
use crate::web::state::RunView;

#[component]
pub fn LocalPanel() -> impl IntoView {
    let run = expect_context::<RunView>();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        run.record.with(|r| {
            let Some(e) = r.evaluations.last() else {
                return;
            };
            let needed = e.local_images.iter().max().map_or(32, |m| m + 1);
            let Some(Ok(ds)) = preview_dataset(&decode(&r.config).config, needed) else {
                return;
            };
            if let (Some(canvas), Some(picture)) = (canvas.get(), local_features_picture(&ds, e)) {
                dom::paint(&canvas, &picture);
            }
        });
    });
    let scores = move || {
        run.record.with(|r| {
            let (Some(first), Some(last)) = (r.evaluations.first(), r.evaluations.last()) else {
                return None;
            };
            if last.local.is_empty() {
                return None;
            }
            let trained = last.step > first.step;
            let rows = last.local.iter().map(|b| {
                let init = first.local.iter().find(|i| i.block == b.block);
                let cell = |v: Option<f32>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
                view! {
                    <tr>
                        <th scope="row">{format!("block {}", b.block)}</th>
                        <td>{if trained { cell(Some(b.ari)) } else { "–".into() }}</td>
                        <td>{cell(init.map(|i| i.ari))}</td>
                        <td>{cell(Some(b.ari_pixels))}</td>
                        <td>{if trained { cell(b.ari_parts) } else { "–".into() }}</td>
                    </tr>
                }
            }).collect_view();
            Some(view! {
                <table class="probes local-scores">
                    <caption>"Foreground ARI against the true objects (1 = every object its own group, 0 = chance), over the scored test images"</caption>
                    <thead><tr><th scope="col">""</th><th scope="col">"trained"</th><th scope="col">"untrained"</th><th scope="col">"raw pixels"</th><th scope="col">"trained, vs parts"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
    };
    let no_masks = move || {
        run.record.with(|r| {
            r.evaluations.last().filter(|e| e.local.is_empty()).map(|_| view! {
                <p class="hint">"This dataset has no object masks: choose objects, digit_on_objects, multidigits, colour_shape or scenes to see local features and their ARI."</p>
            })
        })
    };
    view! {
        <h2>"Local features"</h2>
        <p class="caption">"Each row is a test image, its true objects, then the K-means clusters of each encoder block's feature map (earlier = finer), every cluster coloured as the object it covers most. A block whose map looks like the true objects groups pixels by object; the table says by how much, beside the same encoder untrained and K-means on the raw pixels at that block's resolution."</p>
        <canvas node_ref=canvas id="local-features" role="img" aria-label="test images and the K-means cluster maps of each encoder block"
            class:empty=move || run.record.with(|r| r.evaluations.last().is_none_or(|e| e.local.is_empty()))></canvas>
        {scores}
        {no_masks}
    }
}
