//! The loaders on every format, good and broken.

use super::cifar::CIFAR_RECORD;
use super::*;
use flate2::{Compression, write::GzEncoder};
use image::ImageFormat;
use std::io::Cursor;
use std::io::Write;

type Files = [(String, Vec<u8>)];

fn idx(magic: u8, dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 8, magic];
    dims.iter().for_each(|d| v.extend(d.to_be_bytes()));
    [v, body.to_vec()].concat()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn png(img: impl Into<image::DynamicImage>) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.into().write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn file(name: &str, bytes: Vec<u8>) -> (String, Vec<u8>) {
    (name.to_string(), bytes)
}

fn err(files: &Files) -> LoadError {
    load_files(files, 8).unwrap_err()
}

fn msg(files: &Files) -> String {
    err(files).to_string()
}

const PIXELS: [u8; 12] = [0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 255];
const IMAGES: &str = "train-images-idx3-ubyte";
const LABELS: &str = "train-labels-idx1-ubyte";

#[test]
fn idx_round_trips_raw_and_gzipped() {
    let raw = [
        file(IMAGES, idx(3, &[3, 2, 2], &PIXELS)),
        file(LABELS, idx(1, &[3], &[7, 0, 3])),
    ];
    let zipped: Vec<_> = raw
        .iter()
        .map(|(n, b)| (format!("{n}.gz"), gz(b)))
        .collect();
    for files in [&raw[..], &zipped[..]] {
        let set = load_files(files, 99).unwrap();
        assert_eq!((set.classes(), set.labels), (8, vec![7, 0, 3]));
        assert_eq!(set.class_names[7], "7");
        assert_eq!(
            set.images[2],
            Image::from_pixels(1, 2, 2, PIXELS[8..].to_vec())
        );
        assert!(set.source.starts_with("MNIST IDX: train-images-idx3-ubyte"));
        assert!(set.source.ends_with("(3 images)"), "{}", set.source);
    }
}

#[test]
fn idx_pairs_concatenate_in_name_order() {
    let files = [
        file(IMAGES, idx(3, &[2, 2, 2], &PIXELS[..8])),
        file("t10k-labels-idx1-ubyte", idx(1, &[1], &[1])),
        file(LABELS, idx(1, &[2], &[2, 3])),
        file("t10k-images-idx3-ubyte", idx(3, &[1, 2, 2], &PIXELS[8..])),
    ];
    let set = load_files(&files, 8).unwrap();
    assert_eq!(set.labels, [1, 2, 3]);
    assert_eq!(set.images[0].pixels, PIXELS[8..]);
}

#[test]
fn idx_errors_name_the_problem() {
    let labels = file(LABELS, idx(1, &[3], &[1, 2, 3]));
    let short = file(IMAGES, idx(3, &[3, 2, 2], &PIXELS[..4]));
    assert_eq!(
        msg(&[short, labels.clone()]),
        "train-images-idx3-ubyte: truncated: header says 3 images of 2x2 (28 bytes) \
         but the file has 20 bytes"
    );
    let mut float = idx(3, &[3, 2, 2], &PIXELS);
    float[2] = 0x0D;
    assert!(msg(&[file("x", float)]).contains("type 0x0D is not supported"));
    let garbage = file(IMAGES, vec![0x12, 0x34, 0x56, 0x78, 9]);
    assert!(msg(&[garbage]).contains("bad IDX magic 0x12345678"));
    let text = err(&[file("notes.txt", b"hello".to_vec())]);
    assert!(matches!(text, LoadError::Unrecognised { .. }));
    let two = file(IMAGES, idx(3, &[2, 2, 2], &PIXELS[..8]));
    let (images, labels_name) = (IMAGES.to_string(), LABELS.to_string());
    let mismatch = LoadError::CountMismatch {
        images,
        labels: labels_name,
        n_images: 2,
        n_labels: 3,
    };
    assert_eq!(err(&[two.clone(), labels.clone()]), mismatch);
    assert!(msg(&[two]).contains("add the matching labels file"));
    assert!(msg(&[labels]).contains("labels without an images file"));
    let sizes = [
        file("a-images-idx3-ubyte", idx(3, &[1, 1, 2], &[1, 2])),
        file("a-labels-idx1-ubyte", idx(1, &[1], &[0])),
        file("b-images-idx3-ubyte", idx(3, &[1, 2, 1], &[1, 2])),
        file("b-labels-idx1-ubyte", idx(1, &[1], &[0])),
    ];
    assert!(msg(&sizes).contains("IDX images of 1x2 and 2x1 cannot be mixed"));
    let huge = file(IMAGES, idx(3, &[u32::MAX; 3], &[]));
    assert!(msg(&[huge]).contains("are not supported (resize them)"));
    let empty = [
        file(IMAGES, idx(3, &[0, 28, 28], &[])),
        file(LABELS, idx(1, &[0], &[])),
    ];
    assert_eq!(err(&empty), LoadError::NoImages);
    let many = vec![0; MAX_IMAGES + 1];
    let n = many.len() as u32;
    let too_many = [
        file(IMAGES, idx(3, &[n, 1, 1], &many)),
        file(LABELS, idx(1, &[n], &many)),
    ];
    assert!(matches!(err(&too_many), LoadError::TooManyImages { .. }));
}

fn cifar_record(label: u8, fill: u8) -> Vec<u8> {
    let mut r = vec![fill; CIFAR_RECORD];
    (r[0], r[1]) = (label, 200); // r[1] is the first red pixel: checks the layout is kept
    r
}

#[test]
fn cifar_batches_load_and_fail_cleanly() {
    let batch = [cifar_record(3, 7), cifar_record(9, 8)].concat();
    let set = load_files(&[file("data_batch_1.bin", batch.clone())], 8).unwrap();
    assert_eq!((set.labels, &set.class_names[3][..]), (vec![3, 9], "cat"));
    let img = &set.images[1];
    assert_eq!((img.channels, img.height, img.width), (3, 32, 32));
    assert_eq!((img.get(0, 0, 0), img.get(2, 31, 31)), (200, 8));
    assert_eq!(set.source, "CIFAR-10: data_batch_1.bin (2 images)");
    let short = file("data_batch_1.bin", batch[5..].to_vec());
    assert!(msg(&[short]).contains("truncated CIFAR-10 batch"));
    let bad = file("b.bin", [cifar_record(3, 7), cifar_record(10, 8)].concat());
    assert_eq!(
        msg(&[bad]),
        "b.bin: record 1 has label 10; CIFAR-10 labels are 0-9"
    );
    let idx = file(IMAGES, idx(3, &[1, 1, 1], &[1]));
    assert!(msg(&[file("b.bin", batch), idx]).contains("cannot be mixed"));
}

#[test]
fn image_folders_become_classes() {
    let colour = image::RgbImage::from_fn(8, 4, |x, _| image::Rgb([x as u8 * 30, 255, 0]));
    let grey = image::GrayImage::from_pixel(4, 4, image::Luma([100]));
    let files = [
        file("pets/dogs/b.png", png(colour)),
        file("pets/cats/z.png", png(grey.clone())),
        file("pets/cats/a.png", png(grey.clone())),
    ];
    let set = load_files(&files, 2).unwrap();
    assert_eq!(
        (set.class_names, set.labels),
        (vec!["cats".into(), "dogs".into()], vec![0, 0, 1])
    );
    assert!(
        set.images
            .iter()
            .all(|i| (i.channels, i.height, i.width) == (3, 2, 2))
    );
    assert_eq!(set.images[0].pixels, [100; 12]);
    // The centre 4x4 of the 8x4 picture spans red 60..=150; both edges (0, 210) are cropped.
    let red = &set.images[2].pixels[..4];
    assert!(red.iter().all(|&r| (60..=150).contains(&r)), "{red:?}");
    assert_eq!(set.images[2].pixels[4..8], [255; 4]);
    let grey_only = load_files(&[file("one.png", png(grey))], 3).unwrap();
    assert_eq!(grey_only.class_names, ["images"]);
    assert_eq!(
        grey_only.images[0],
        Image::from_pixels(1, 3, 3, vec![100; 9])
    );
}

#[test]
fn bad_image_files_are_refused() {
    let mut corrupt = png(image::GrayImage::new(4, 4));
    corrupt.truncate(30);
    assert!(msg(&[file("cats/bad.png", corrupt)]).starts_with("cats/bad.png: cannot decode"));
    let wide = png(image::GrayImage::new(MAX_IMAGE_SIDE + 1, 1));
    assert!(msg(&[file("wide.png", wide)]).contains("image over 8192x8192 pixels"));
    let ok = [file("a.png", png(image::GrayImage::new(2, 2)))];
    assert_eq!(load_files(&ok, 0).unwrap_err(), LoadError::BadImageSize(0));
}

#[test]
fn size_limits_hold_through_gzip() {
    let bomb = gz(&vec![0; 10_000]);
    assert!(bomb.len() < 1000);
    let limited = |bytes| load_files_with_limit(&[file("bomb.gz", bytes)], 8, 1000).unwrap_err();
    let too_large = LoadError::TooLarge {
        file: "bomb.gz".into(),
        limit: 1000,
    };
    assert_eq!(limited(bomb), too_large);
    assert_eq!(limited(vec![1; 1001]), too_large);
    assert!(msg(&[file("x.gz", vec![0x1f, 0x8b, 8, 0, 1, 2])]).contains("corrupt gzip data"));
    assert_eq!(err(&[]), LoadError::NoFiles);
    assert!(msg(&[file("empty", vec![])]).contains("empty"));
}

#[test]
fn truncated_inputs_never_panic() {
    let inputs = [
        idx(3, &[3, 2, 2], &PIXELS),
        idx(1, &[3], &[1, 2, 3]),
        cifar_record(1, 1),
        png(image::RgbImage::new(5, 3)),
        gz(&idx(1, &[1], &[1])),
    ];
    for bytes in inputs {
        for cut in 0..bytes.len() {
            for name in ["d/x.png", "x-idx3-ubyte", "x.bin"] {
                let _ = load_files(&[file(name, bytes[..cut].to_vec())], 4);
            }
        }
    }
}
