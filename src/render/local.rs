//! The local-features picture, as the paper's figure: one row per test image, the image, its
//! true objects, then each encoder block's K-means cluster map upsampled to the image, every
//! cluster coloured as the object it covers most (so a block that groups by object looks like
//! the true masks, and one cluster spread over two objects shows in one colour).

use super::Picture;
use super::svg::colour;
use crate::data::Dataset;
use crate::record::Evaluation;

/// At most this many images (rows).
pub const SHOWN: usize = 6;

/// The background's colour in the maps.
const BACKGROUND: [u8; 3] = [60, 60, 60];

/// `#rrggbb` as bytes (black for anything else).
pub fn hex_rgb(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// The colour of mask id `id` (0 = background).
fn id_colour(id: usize) -> [u8; 3] {
    if id == 0 {
        BACKGROUND
    } else {
        hex_rgb(colour(id - 1))
    }
}

/// For each cluster of an upsampled map, the mask id it covers most (ties: the lower id).
pub fn cluster_objects(clusters: &[usize], truth: &[usize]) -> Vec<usize> {
    let k = clusters.iter().max().map_or(0, |m| m + 1);
    let ids = truth.iter().max().map_or(0, |m| m + 1);
    let mut counts = vec![0usize; k * ids];
    for (&c, &t) in clusters.iter().zip(truth) {
        counts[c * ids + t] += 1;
    }
    (0..k)
        .map(|c| {
            let row = &counts[c * ids..(c + 1) * ids];
            (0..ids).rev().max_by_key(|&t| row[t]).unwrap_or(0)
        })
        .collect()
}

/// Rows of image, true objects and each block's clusters over the test images they were
/// computed on; `None` when the evaluation has no local features. Images missing from `ds`
/// are left blank.
pub fn local_features_picture(ds: &Dataset, e: &Evaluation) -> Option<Picture> {
    if e.local.is_empty() {
        return None;
    }
    let shown = e.local_images.len().min(SHOWN);
    let (h, w) = (ds.height, ds.width);
    let scale = (64 / h.max(w)).max(1);
    let (cw, ch) = (w * scale + 4, h * scale + 4);
    let columns = 2 + e.local.len();
    let mut picture = Picture::new(columns * cw, shown * ch, 250);
    for (row, &img) in e.local_images.iter().take(shown).enumerate() {
        let Some(sample) = ds.test.get(img) else {
            continue;
        };
        let y0 = row * ch;
        let view: Vec<f32> = sample
            .image
            .pixels
            .iter()
            .map(|&v| v as f32 / 255.0)
            .collect();
        picture.blit_view(&view, sample.image.channels, h, w, 0, y0, scale);
        let truth: Vec<usize> = match &sample.mask {
            Some(m) => m.iter().map(|&v| v as usize).collect(),
            None => vec![0; h * w],
        };
        paint_map(&mut picture, cw, y0, scale, (h, w), |p| id_colour(truth[p]));
        for (b, block) in e.local.iter().enumerate() {
            let Some(map) = block.maps.get(row) else {
                continue;
            };
            let (mh, mw) = (block.map_height, block.map_width);
            let cluster = |p: usize| {
                let (y, x) = (p / w, p % w);
                map.get(y * mh / h * mw + x * mw / w)
                    .map_or(0, |&c| c as usize)
            };
            let clusters: Vec<usize> = (0..h * w).map(cluster).collect();
            let object = cluster_objects(&clusters, &truth);
            paint_map(&mut picture, (2 + b) * cw, y0, scale, (h, w), |p| {
                id_colour(object[clusters[p]])
            });
        }
    }
    Some(picture)
}

/// Paints an `h × w` map, `scale` times enlarged, with its top-left corner at (x0, y0).
fn paint_map(
    picture: &mut Picture,
    x0: usize,
    y0: usize,
    scale: usize,
    (h, w): (usize, usize),
    rgb_at: impl Fn(usize) -> [u8; 3],
) {
    for y in 0..h * scale {
        for x in 0..w * scale {
            let rgb = rgb_at((y / scale) * w + x / scale);
            let i = ((y0 + y) * picture.width + x0 + x) * 3;
            picture.rgb[i..i + 3].copy_from_slice(&rgb);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate;
    use crate::record::LocalFeatures;
    use crate::url::decode;

    #[test]
    fn one_row_per_image_with_its_objects_and_each_blocks_clusters_in_their_objects_colours() {
        let c = decode("data=scenes&canvas=32&train_size=64&test_size=32").config;
        let ds = generate(&c, None).unwrap();
        // One cluster per true object at block 1 (the mask itself, at full resolution), and a
        // single cluster everywhere at block 2.
        let masks: Vec<Vec<u8>> = (0..3).map(|i| ds.test[i].mask.clone().unwrap()).collect();
        let block = |b: usize, side: usize, maps: Vec<Vec<u8>>| LocalFeatures {
            block: b,
            map_height: side,
            map_width: side,
            maps,
            ari: 0.0,
            ari_pixels: 0.0,
            ari_parts: None,
        };
        let e = Evaluation {
            step: 0,
            probes: Vec::new(),
            local: vec![
                block(1, 32, masks.clone()),
                block(2, 8, vec![vec![0; 64]; 3]),
            ],
            local_images: vec![0, 1, 2],
            embedding: Vec::new(),
            embedding_labels: Vec::new(),
            similarity: Vec::new(),
        };
        let p = local_features_picture(&ds, &e).unwrap();
        // 32 px images at scale 2 with a 4 px gap: image, objects, 2 blocks; 3 rows.
        assert_eq!((p.width, p.height), (4 * 68, 3 * 68));
        let at = |x: usize, y: usize| [0, 1, 2].map(|k| p.rgb[(y * p.width + x) * 3 + k]);
        for (row, mask) in masks.iter().enumerate() {
            for (pos, &id) in mask.iter().enumerate() {
                let (x, y) = (2 * (pos % 32), row * 68 + 2 * (pos / 32));
                // The true objects, and block 1's clusters coloured as the same objects.
                assert_eq!(at(68 + x, y), id_colour(id as usize));
                assert_eq!(at(2 * 68 + x, y), id_colour(id as usize));
            }
            // Block 2's one cluster takes the colour of what it covers most.
            let mut counts = [0usize; 5];
            mask.iter().for_each(|&m| counts[m as usize] += 1);
            let most = (0..5).rev().max_by_key(|&i| counts[i]).unwrap();
            assert_eq!(at(3 * 68 + 10, row * 68 + 10), id_colour(most));
        }
        let none = Evaluation {
            local: Vec::new(),
            ..e
        };
        assert!(local_features_picture(&ds, &none).is_none());
    }

    #[test]
    fn a_cluster_takes_the_object_it_covers_most() {
        // Cluster 0 covers object 1 three times, background once; cluster 1 covers object 2.
        let clusters = [0, 0, 0, 0, 1, 1];
        let truth = [1, 1, 0, 1, 2, 2];
        assert_eq!(cluster_objects(&clusters, &truth), [1, 2]);
    }
}
