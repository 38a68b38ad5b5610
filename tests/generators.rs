//! The competing-feature generators' geometry: DigitOnObjects' nine copies and its held-out
//! digits, MultiDigits' fixed digit that stays put while the other grows.

use cpg::data::ProbeSplit;
use cpg::data::generators::{digit_grid, held_out_digit, pasted_digit_side, unique_digits};
use cpg::data::image::Image;
use cpg::data::multidigits::MultiDigitsLayout;
use cpg::url::decode;

mod common;
use common::small_dataset as dataset;

/// Does `digit` lie under the image (by pixel-wise max) with its top-left corner at (y0, x0)?
fn pasted_at(image: &Image, digit: &Image, (y0, x0): (usize, usize)) -> bool {
    (0..digit.height).all(|y| {
        (0..digit.width)
            .all(|x| (0..3).all(|ch| image.get(ch, y0 + y, x0 + x) >= digit.get(0, y, x)))
    })
}

/// How many pixels of a scene belong to part `id`, and their mean brightness (the sum of the
/// three channels, 0..765 per pixel).
fn part_brightness(image: &Image, parts: &[u8], id: u8) -> (usize, f64) {
    let pixels: Vec<usize> = (0..parts.len()).filter(|&i| parts[i] == id).collect();
    let sum: f64 = pixels
        .iter()
        .map(|&i| {
            (0..3)
                .map(|c| image.get(c, i / image.width, i % image.width) as f64)
                .sum::<f64>()
        })
        .sum();
    (pixels.len(), sum / pixels.len().max(1) as f64)
}

const DOO: &str = "data=digit_on_objects&digit_size=0.25&image_size=48";

#[test]
fn digit_on_objects_pastes_one_pool_digit_at_all_nine_grid_positions() {
    let query = format!("{DOO}&unique_digits=20");
    let ds = dataset(&query);
    let pool = unique_digits(&decode(&query).config);
    assert_eq!(pool.len(), 20);
    let side = ds.width;
    let cells = digit_grid(side, pool[0].0.width);
    // The paper's offsets: 15/45/75 % of the side.
    let at = |f: f32| (f * side as f32) as usize;
    assert_eq!(cells[0], (at(0.15), at(0.15)));
    assert_eq!(cells[5], (at(0.45), at(0.75)));
    for s in &ds.train[..60] {
        let digit_label = s.labels[1];
        assert_eq!(
            s.labels[2], digit_label,
            "digit_seen is the same pool digit"
        );
        // One pool digit of that label lies under the image at every one of the nine cells.
        let found = pool
            .iter()
            .filter(|(_, l)| *l == digit_label)
            .any(|(d, _)| cells.iter().all(|&cell| pasted_at(&s.image, d, cell)));
        assert!(found, "no digit of class {digit_label} at all nine cells");
    }
    let names: Vec<&str> = ds.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["object", "digit", "digit_seen"]);
    assert_eq!(ds.features[1].split, ProbeSplit::HeldOut);
    assert_eq!(ds.features[2].split, ProbeSplit::Standard);
}

#[test]
fn the_held_out_digits_are_fresh_and_the_same_for_every_pool_size() {
    let pool_of = |n: usize| {
        let query = format!("{DOO}&unique_digits={n}");
        (dataset(&query), unique_digits(&decode(&query).config))
    };
    let (ds, pool) = pool_of(1000);
    let (fit, test) = ds.heldout.as_ref().expect("held-out images");
    assert_eq!((fit.len(), test.len()), (200, 50));
    let side = pasted_digit_side(48, 0.25);
    let cells = digit_grid(ds.width, side);
    // Each held-out image shows its own fresh digit, at all nine cells, with its label; and no
    // fresh digit is one of the training pool's: the pools are disjoint.
    for (fit_side, images) in [(true, fit), (false, test)] {
        for (i, s) in images.iter().enumerate() {
            let (digit, label) = held_out_digit(0, fit_side, i, side);
            assert_eq!(s.labels[1], label);
            assert!(cells.iter().all(|&cell| pasted_at(&s.image, &digit, cell)));
            assert!(
                pool.iter().all(|(d, _)| d.pixels != digit.pixels),
                "held-out digit {i} is in the training pool"
            );
        }
    }
    let mut seen = [false; 10];
    test.iter().for_each(|s| seen[s.labels[1]] = true);
    assert!(
        seen.iter().all(|&b| b),
        "every class among the fresh digits"
    );
    // The held-out images do not depend on the pool size N.
    let (other, _) = pool_of(5);
    assert_eq!(other.heldout, ds.heldout);
}

/// Per training sample: the fixed digit's label and pixels, and the varying digit's pixels.
type Digits = Vec<(usize, Vec<usize>, Vec<usize>)>;

fn multidigits(size: f32) -> Digits {
    let ds = dataset(&format!(
        "data=multidigits&canvas=64&small_digit=0.17&digit_size={size}"
    ));
    ds.train
        .iter()
        .map(|s| {
            let m = s.mask.as_ref().unwrap();
            let of = |id: u8| (0..m.len()).filter(|&p| m[p] == id).collect::<Vec<_>>();
            (s.labels[0], of(1), of(2))
        })
        .collect()
}

/// Mean centre (row, column) of the fixed digit and how many distinct centres it takes.
fn fixed_centres(run: &Digits) -> (f32, f32, usize) {
    let centres: Vec<(usize, usize)> = run
        .iter()
        .map(|(_, fixed, _)| {
            let n = fixed.len();
            (
                fixed.iter().map(|p| p / 64).sum::<usize>() / n,
                fixed.iter().map(|p| p % 64).sum::<usize>() / n,
            )
        })
        .collect();
    let n = centres.len() as f32;
    let mut distinct = centres.clone();
    distinct.sort();
    distinct.dedup();
    (
        centres.iter().map(|c| c.0 as f32).sum::<f32>() / n,
        centres.iter().map(|c| c.1 as f32).sum::<f32>() / n,
        distinct.len(),
    )
}

#[test]
fn multidigits_fixed_digit_is_the_same_at_every_size_and_never_overlaps() {
    let sizes = [0.17, 0.3, 0.5, 0.65];
    let runs: Vec<Digits> = sizes.iter().map(|&s| multidigits(s)).collect();
    for (run, size) in runs.iter().zip(sizes) {
        for ((label, fixed, varying), (label0, fixed0, _)) in run.iter().zip(&runs[0]) {
            // The fixed digit: same label, same pixels, whatever the other digit's size.
            assert_eq!((label, fixed), (label0, fixed0), "digit_size={size}");
            assert!(fixed.len() > 5 && varying.len() > 5);
            // Never on top of each other.
            assert!(fixed.iter().all(|p| !varying.contains(p)));
        }
    }
    // The varying digit grows along the sweep, from the fixed digit's size to over 3x.
    let layout = |size: f32| {
        MultiDigitsLayout::new(
            &decode(&format!(
                "data=multidigits&canvas=64&small_digit=0.17&digit_size={size}"
            ))
            .config,
        )
    };
    assert_eq!(layout(0.17).varying, layout(0.17).fixed);
    assert!(layout(0.65).varying >= 3 * layout(0.65).fixed);
    // Statistically: the fixed digit spreads over many places (either strip, any height), with
    // the same distribution at every size.
    let (y0, x0, n0) = fixed_centres(&runs[0]);
    assert!(n0 > 100, "only {n0} distinct places of the fixed digit");
    assert!(
        (20.0..44.0).contains(&y0) && (20.0..44.0).contains(&x0),
        "{y0} {x0}"
    );
    for run in &runs[1..] {
        assert_eq!(fixed_centres(run), (y0, x0, n0));
    }
}

#[test]
fn scene_parts_split_every_object_into_two_shades() {
    let ds = dataset("data=scenes&canvas=32");
    let (mut objects, mut both_halves) = (0, 0);
    for s in ds.train.iter().chain(&ds.test) {
        let (mask, parts) = (s.mask.as_ref().unwrap(), s.parts.as_ref().unwrap());
        // Parts refine the objects: object k is parts 2k - 1 and 2k, background stays 0.
        for (&m, &p) in mask.iter().zip(parts) {
            assert_eq!(m, p.div_ceil(2), "part {p} outside object {m}");
        }
        let brightness = |id: u8| part_brightness(&s.image, parts, id);
        for k in 1..=mask.iter().copied().max().unwrap() {
            let ((n_light, light), (n_dark, dark)) = (brightness(2 * k - 1), brightness(2 * k));
            objects += 1;
            // An occluded or thin object may show one half only; where both show (at least
            // 8 pixels each), their mean brightness differs clearly (0..765 per pixel).
            if n_light >= 8 && n_dark >= 8 {
                both_halves += 1;
                assert!((light - dark).abs() > 60.0, "object {k}: {light} vs {dark}");
            }
        }
    }
    assert!(
        both_halves * 2 > objects,
        "{both_halves} of {objects} objects show both parts"
    );
}

#[test]
fn digit_on_objects_copies_cover_about_the_papers_share_of_the_image() {
    // The paper: nine 28 px copies on 224 px, 9 · (1/8)² ≈ 14 % of the image.
    let paper = 9.0 * (28.0f32 / 224.0).powi(2);
    for c in [
        cpg::presets::Preset::find("digit-on-objects")
            .unwrap()
            .experiment(),
        cpg::presets::Preset::find("digit-on-objects")
            .unwrap()
            .small_experiment(),
    ] {
        let side = pasted_digit_side(c.image_size, c.digit_size);
        let cells = digit_grid(c.image_size, side);
        // The copies do not overlap, so their boxes' union is nine boxes.
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[i + 1..] {
                assert!(
                    a.0.abs_diff(b.0) >= side || a.1.abs_diff(b.1) >= side,
                    "{a:?} {b:?}"
                );
            }
        }
        let share = 9.0 * (side * side) as f32 / (c.image_size * c.image_size) as f32;
        assert!(
            (share - paper).abs() < 0.05,
            "nine {side} px copies on {} px cover {share:.2} (paper {paper:.2})",
            c.image_size
        );
    }
}

#[test]
fn texture_scenes_give_objects_and_background_the_same_colours() {
    let ds = dataset("data=scenes&fill=texture&canvas=48");
    let (mut fg, mut bg) = ([0.0f64; 3], [0.0f64; 3]);
    let (mut nf, mut nb) = (0usize, 0usize);
    for s in ds.train.iter().chain(&ds.test) {
        let (mask, parts) = (s.mask.as_ref().unwrap(), s.parts.as_ref().unwrap());
        // Parts refine the objects: object k is parts 2k − 1 and 2k, background stays 0.
        for (&m, &p) in mask.iter().zip(parts) {
            assert_eq!(m, p.div_ceil(2), "part {p} outside object {m}");
        }
        assert!(mask.iter().any(|&m| m > 0));
        // Per image, the mean colour of the objects' pixels is the background's, channel by
        // channel, within a few levels: colour alone cannot tell them apart.
        let mean = |keep: &dyn Fn(u8) -> bool| {
            let idx: Vec<usize> = (0..mask.len()).filter(|&p| keep(mask[p])).collect();
            let m: Vec<f64> = (0..3)
                .map(|c| {
                    idx.iter()
                        .map(|&p| s.image.get(c, p / 48, p % 48) as f64)
                        .sum::<f64>()
                        / idx.len().max(1) as f64
                })
                .collect();
            (m, idx.len())
        };
        let ((f, n1), (b, n0)) = (mean(&|m| m > 0), mean(&|m| m == 0));
        for c in 0..3 {
            fg[c] += f[c] * n1 as f64;
            bg[c] += b[c] * n0 as f64;
        }
        nf += n1;
        nb += n0;
    }
    for c in 0..3 {
        let (f, b) = (fg[c] / nf as f64, bg[c] / nb as f64);
        assert!(
            (f - b).abs() < 4.0,
            "channel {c}: objects {f:.1}, background {b:.1}"
        );
    }
}

#[test]
fn texture_scene_parts_are_a_lighter_and_a_darker_half() {
    let ds = dataset("data=scenes&fill=texture&canvas=48");
    let (mut lighter, mut pairs) = (0, 0);
    for s in &ds.train {
        let parts = s.parts.as_ref().unwrap();
        let brightness = |id: u8| part_brightness(&s.image, parts, id);
        let objects = s.mask.as_ref().unwrap().iter().copied().max().unwrap();
        for k in 1..=objects {
            let ((n_a, a), (n_b, b)) = (brightness(2 * k - 1), brightness(2 * k));
            if n_a >= 30 && n_b >= 30 {
                pairs += 1;
                lighter += usize::from(a > b);
            }
        }
    }
    // Part 2k − 1 is the lighter half: 0.1 per channel, against stripes of two colours.
    assert!(
        pairs > 100 && lighter * 10 >= pairs * 9,
        "{lighter} of {pairs}"
    );
}

#[test]
fn texture_scene_stripe_parts_are_the_two_stripe_colours_over_every_object() {
    let ds = dataset("data=scenes&fill=texture&canvas=48&parts=stripes&part_shade=0");
    let (mut apart, mut images) = (0, 0);
    for s in &ds.train {
        let (mask, parts) = (s.mask.as_ref().unwrap(), s.parts.as_ref().unwrap());
        // Not nested in the objects: every object pixel is part 1 or 2, the background 0.
        for (&m, &p) in mask.iter().zip(parts) {
            assert_eq!(p == 0, m == 0, "part {p} at object {m}");
            assert!(p <= 2, "part {p}");
        }
        // Both parts span several objects' pixels alike, and they are the two colours: the
        // mean brightness of part 1 and part 2 lies far apart (over 40 per channel).
        let brightness = |id: u8| part_brightness(&s.image, parts, id);
        let ((n1, b1), (n2, b2)) = (brightness(1), brightness(2));
        if n1 >= 50 && n2 >= 50 {
            images += 1;
            apart += usize::from((b1 - b2).abs() > 120.0);
        }
    }
    assert!(
        images > 100 && apart * 20 >= images * 19,
        "{apart} of {images} images"
    );
}
