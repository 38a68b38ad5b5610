//! The local-features picture: for each encoder block (one row each), test images next to the
//! K-means cluster map of that block's feature map, upsampled to the image.

use super::Picture;
use super::svg::colour;
use crate::data::Dataset;
use crate::record::Evaluation;

/// At most this many images per row.
pub const SHOWN: usize = 8;

/// `#rrggbb` as bytes (black for anything else).
pub fn hex_rgb(c: &str) -> [u8; 3] {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// Cluster maps of each block over the test images they were computed on; `None` when the
/// evaluation has no local features. Images missing from `ds` are left blank.
pub fn local_features_picture(ds: &Dataset, e: &Evaluation) -> Option<Picture> {
    if e.local.is_empty() {
        return None;
    }
    let shown = e.local_images.len().min(SHOWN);
    let (h, w) = (ds.height, ds.width);
    let scale = (64 / h.max(w)).max(1);
    let (cw, ch) = (w * scale + 4, h * scale + 4);
    let mut picture = Picture::new(shown * cw * 2, e.local.len() * ch, 250);
    for (row, block) in e.local.iter().enumerate() {
        for (j, &img) in e.local_images.iter().take(shown).enumerate() {
            let Some(sample) = ds.test.get(img) else {
                continue;
            };
            let Some(map) = block.maps.get(j) else {
                continue;
            };
            let view: Vec<f32> = sample
                .image
                .pixels
                .iter()
                .map(|&v| v as f32 / 255.0)
                .collect();
            let (x0, y0) = (j * 2 * cw, row * ch);
            picture.blit_view(&view, sample.image.channels, h, w, x0, y0, scale);
            // The cluster map next to the image, upsampled to its size.
            for y in 0..h * scale {
                for x in 0..w * scale {
                    let (my, mx) = (
                        y / scale * block.map_height / h,
                        x / scale * block.map_width / w,
                    );
                    let c = map.get(my * block.map_width + mx).copied().unwrap_or(0);
                    let rgb = hex_rgb(colour(c as usize));
                    let i = ((y0 + y) * picture.width + x0 + cw + x) * 3;
                    picture.rgb[i..i + 3].copy_from_slice(&rgb);
                }
            }
        }
    }
    Some(picture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate;
    use crate::record::LocalFeatures;
    use crate::url::decode;

    #[test]
    fn one_row_per_block_with_each_cluster_in_its_colour() {
        let c = decode("data=scenes&canvas=32&train_size=64&test_size=32").config;
        let ds = generate(&c, None).unwrap();
        let block = |b: usize, side: usize| LocalFeatures {
            block: b,
            map_height: side,
            map_width: side,
            // Left half cluster 0, right half cluster 1.
            maps: vec![
                (0..side * side)
                    .map(|p| u8::from(p % side >= side / 2))
                    .collect();
                3
            ],
            ari: 0.0,
            ari_pixels: 0.0,
            ari_parts: None,
        };
        let e = Evaluation {
            step: 0,
            probes: Vec::new(),
            local: vec![block(1, 16), block(2, 8)],
            local_images: vec![0, 1, 2],
            embedding: Vec::new(),
            embedding_labels: Vec::new(),
            similarity: Vec::new(),
        };
        let p = local_features_picture(&ds, &e).unwrap();
        // 32 px images at scale 2 with a 4 px gap: 3 images, each with its map, 2 rows.
        assert_eq!((p.width, p.height), (3 * 2 * 68, 2 * 68));
        let at = |x: usize, y: usize| [0, 1, 2].map(|k| p.rgb[(y * p.width + x) * 3 + k]);
        // The first map of the second row: its left half cluster 0, right half cluster 1.
        assert_eq!(at(68 + 5, 68 + 20), hex_rgb(colour(0)));
        assert_eq!(at(68 + 60, 68 + 20), hex_rgb(colour(1)));
        let none = Evaluation {
            local: Vec::new(),
            ..e
        };
        assert!(local_features_picture(&ds, &none).is_none());
    }
}
