//! Hostile and careless inputs through the CLI, as a user would feed them: each ends in a clear
//! error naming the file (or a success), never a panic or a hang, within a 3 GB address space
//! (so using more than the 2 GB budget would abort). Every loader also takes arbitrary bytes.

#![cfg(unix)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;

/// Runs the CLI with an address-space limit and a time limit; (success, stderr).
fn cli_limited(args: &[&str]) -> (bool, String) {
    let mut child = unsafe {
        Command::new(env!("CARGO_BIN_EXE_contrastive-playground"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 3 << 30,
                    rlim_max: 3 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            })
            .spawn()
            .expect("binary runs")
    };
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.success(), err);
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{args:?} hung for 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cpg-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn idx_header(magic: u8, dims: &[u32]) -> Vec<u8> {
    let mut v = vec![0, 0, 8, magic];
    dims.iter().for_each(|d| v.extend(d.to_be_bytes()));
    v
}

fn png(img: impl Into<image::DynamicImage>) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.into()
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A PNG whose header declares `w × h` pixels, with one zero-filled compressed row repeated:
/// tiny on disk, gigabytes if decoded.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    // Filter byte 0, then a row of zeros, repeated: zlib squeezes it to almost nothing.
    let row = vec![0u8; 1 + w as usize];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
    for _ in 0..h.min(4096) {
        z.write_all(&row).unwrap();
    }
    let data = z.finish().unwrap();
    let chunk = |kind: &[u8], body: &[u8]| {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(body);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        c.extend(crc.sum().to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit grey
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &data));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// (name, files, what the outcome must mention: "" for success).
fn corpus(dir: &Path) -> Vec<(&'static str, Vec<PathBuf>, &'static str)> {
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let labels = |n: u32| {
        let mut v = idx_header(1, &[n]);
        v.extend((0..n).map(|i| (i % 10) as u8));
        v
    };
    let images = |n: u32, side: u32| {
        let mut v = idx_header(3, &[n, side, side]);
        v.extend((0..n * side * side).map(|i| (i % 251) as u8));
        v
    };
    let good = images(40, 28);
    let mut mixed_dir = dir.join("folder");
    std::fs::create_dir_all(mixed_dir.join("cats")).unwrap();
    std::fs::create_dir_all(mixed_dir.join("dogs")).unwrap();
    for (i, class) in ["cats", "dogs"].iter().enumerate() {
        for k in 0..8 {
            let img = image::GrayImage::from_fn(12, 12, |x, y| {
                image::Luma([((x * y + k * 9 + i as u32) % 255) as u8])
            });
            std::fs::write(mixed_dir.join(class).join(format!("{k}.png")), png(img)).unwrap();
        }
    }
    std::fs::write(mixed_dir.join(".DS_Store"), b"junk").unwrap();
    std::fs::write(mixed_dir.join("cats/Thumbs.db"), b"junk").unwrap();
    std::os::unix::fs::symlink(&mixed_dir, mixed_dir.join("dogs/loop")).unwrap();
    std::os::unix::fs::symlink("/etc", mixed_dir.join("cats/outside")).unwrap();
    let folder = std::mem::take(&mut mixed_dir);
    let huge_declared = gz(&{
        // 10 images of 5000x5000 declared; the body is all zeros (compresses to almost nothing).
        let mut v = idx_header(3, &[10, 5000, 5000]);
        v.resize(v.len() + 10 * 5000 * 5000 / 100, 0);
        v
    });
    let wide = {
        let mut v = idx_header(3, &[1, 1, 25_000_000]);
        v.resize(v.len() + 25_000_000 / 100, 0);
        v
    };
    let gzip_bomb = gz(&vec![0u8; 600 << 20]);
    let rgba16 = {
        let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::from_fn(20, 20, |x, y| {
            image::Rgba([(x * 3000) as u16, (y * 3000) as u16, 7, 65535])
        });
        png(image::DynamicImage::ImageRgba16(img))
    };
    let gif = {
        let mut out = Vec::new();
        {
            let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
            for k in 0..3u8 {
                let frame = image::RgbaImage::from_pixel(16, 16, image::Rgba([k * 80, 0, 0, 255]));
                enc.encode_frame(image::Frame::new(frame)).unwrap();
            }
        }
        out
    };
    let mut zip_of_zeros = b"PK\x03\x04".to_vec();
    zip_of_zeros.extend(vec![0u8; 4096]);
    vec![
        (
            "a good MNIST pair",
            vec![
                write("good-images-idx3-ubyte", &good),
                write("good-labels-idx1-ubyte", &labels(40)),
            ],
            "",
        ),
        (
            "truncated IDX",
            vec![
                write("t-images-idx3-ubyte", &good[..500]),
                write("t-labels-idx1-ubyte", &labels(40)),
            ],
            "t-images-idx3-ubyte: truncated",
        ),
        (
            "wrong magic",
            vec![write("w-images-idx3-ubyte", &[1, 2, 3, 4, 5, 6, 7, 8])],
            "w-images-idx3-ubyte: bad IDX magic",
        ),
        (
            "mismatched counts",
            vec![
                write("m-images-idx3-ubyte", &good),
                write("m-labels-idx1-ubyte", &labels(39)),
            ],
            "has 40 images but",
        ),
        (
            "huge declared images, gzipped",
            vec![
                write("huge-images-idx3-ubyte.gz", &huge_declared),
                write("huge-labels-idx1-ubyte", &labels(10)),
            ],
            "huge-images-idx3-ubyte.gz: header says 10 images of 5000x5000",
        ),
        (
            "one image 25 million pixels wide",
            vec![
                write("wide-images-idx3-ubyte", &wide),
                write("wide-labels-idx1-ubyte", &labels(1)),
            ],
            "wide-images-idx3-ubyte: header says 1 images of 1x25000000",
        ),
        (
            "a gzip bomb",
            vec![write("bomb-images-idx3-ubyte.gz", &gzip_bomb)],
            "bomb-images-idx3-ubyte.gz: over the",
        ),
        (
            "a zip of zeros",
            vec![write("zeros.zip", &zip_of_zeros)],
            "zeros.zip: unrecognised format",
        ),
        (
            "a PNG decompression bomb",
            vec![write("bomb.png", &png_bomb(60_000, 60_000))],
            "bomb.png: image over 8192x8192",
        ),
        (
            "16-bit RGBA PNGs and animated GIFs",
            vec![{
                let pics = dir.join("pics");
                std::fs::create_dir_all(&pics).unwrap();
                for k in 0..6 {
                    std::fs::write(pics.join(format!("p16-{k}.png")), &rgba16).unwrap();
                    std::fs::write(pics.join(format!("anim-{k}.gif")), &gif).unwrap();
                }
                pics
            }],
            "",
        ),
        (
            "a folder with junk, a loop and a link out",
            vec![folder],
            "",
        ),
        (
            "/dev/zero",
            vec![PathBuf::from("/dev/zero")],
            "/dev/zero: over the 256 MB limit",
        ),
    ]
}

#[test]
fn malformed_and_oversized_files_end_in_a_clear_error_within_bounded_memory() {
    let dir = temp_dir("corpus");
    for (what, files, expect) in corpus(&dir) {
        let mut args = vec![
            "dataset".to_string(),
            "--config".into(),
            "data=randbit&base=file&bits=3&train_size=64&test_size=32".into(),
        ];
        for f in &files {
            args.push("--data-file".into());
            args.push(f.to_string_lossy().into_owned());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, err) = cli_limited(&refs);
        assert!(!err.contains("panicked"), "{what}: panicked: {err}");
        assert!(
            !err.contains("memory allocation"),
            "{what}: ran out of memory: {err}"
        );
        if expect.is_empty() {
            assert!(ok, "{what}: failed: {err}");
        } else {
            assert!(!ok, "{what}: succeeded");
            assert!(err.contains(expect), "{what}: expected {expect:?} in {err}");
        }
    }
}

#[test]
fn a_config_over_the_memory_budget_is_refused_unless_forced() {
    let (ok, err) = cli_limited(&[
        "dataset",
        "--config",
        "data=scenes&canvas=128&train_size=100000",
    ]);
    assert!(
        !ok && err.contains("budget") && err.contains("train_size") && err.contains("--force"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_loader_takes_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), kind in 0usize..5) {
        let name = ["x-images-idx3-ubyte", "x-labels-idx1-ubyte", "data.bin", "cats/a.png", "b.gz"][kind];
        let mut framed = bytes.clone();
        // Give each loader a plausible start so the fuzz reaches past the sniffing.
        match kind {
            0 => { framed.splice(0..0, [0u8, 0, 8, 3]); }
            1 => { framed.splice(0..0, [0u8, 0, 8, 1]); }
            3 => { framed.splice(0..0, [0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]); }
            4 => { framed.splice(0..0, [0x1fu8, 0x8b]); }
            _ => {}
        }
        let _ = cpg::data::loaders::load_files(&[(name.to_string(), framed)], 16);
    }
}
