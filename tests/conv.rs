//! The batch-GEMM convolution against burn's `Conv2d`: the same outputs and the same input and
//! weight gradients, for every kernel and stride the encoders use; and whole encoders built with
//! either agree; and the CPU kernel of the batch-GEMM convolution against its tensor-op form and
//! naive loops.

use burn::prelude::*;

use cpg::learn::backend::cpu_device;
use cpg::learn::conv::{Conv, Layout, gemm_layout};
use cpg::learn::kernels;
use cpg::learn::kernels::conv::{Geometry, col2im, im2col};
use cpg::learn::model::Model;
use cpg::params::ConvKind;
use cpg::rng::stream;
use cpg::url::decode;

fn geometry(kernel: usize, stride: usize, [c, h, w, n]: [usize; 4]) -> Geometry {
    Geometry {
        kernel,
        stride,
        channels: c,
        height: h,
        width: w,
        batch: n,
    }
}

fn random(count: usize, seed: u64) -> Vec<f32> {
    let mut rng = stream(seed, "conv-test", 0);
    (0..count).map(|_| rng.normal()).collect()
}

fn read<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap()
}

fn assert_close(what: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-4 * scale,
        "{what}: differs by {worst} (scale {scale})"
    );
}

/// Output, input gradient and weight gradient (in burn's `[c_out, c_in, k, k]` order) of one
/// convolution, for the loss `sum(y * r)`.
fn run(
    kind: ConvKind,
    [n, c_in, h, w]: [usize; 4],
    c_out: usize,
    kernel: usize,
    stride: usize,
) -> [Vec<f32>; 3] {
    let device = cpu_device().autodiff();
    let weights = random(c_out * c_in * kernel * kernel, 1);
    let conv = Conv::new(kind, c_in, c_out, kernel, stride, weights, &device);
    let layout = Layout::of(kind);
    let x = Tensor::<4>::from_data(
        TensorData::new(random(n * c_in * h * w, 2), [n, c_in, h, w]),
        &device,
    )
    .require_grad();
    let y = layout.to_channels_first(conv.forward(layout.from_channels_first(x.clone()))); // [n, c_out, ho, wo]
    let r = Tensor::<4>::from_data(
        TensorData::new(random(y.shape().num_elements(), 3), y.shape()),
        &device,
    );
    let grads = (y.clone() * r).sum().backward();
    let dx = read(x.grad(&grads).unwrap());
    let dw = match &conv {
        Conv::Gemm(c) => {
            // [c_out, k·k·c_in] back to burn's order.
            let g = read(c.weight.grad(&grads).unwrap());
            let kk = kernel * kernel;
            let mut out = vec![0.0; g.len()];
            for o in 0..c_out {
                for c in 0..c_in {
                    for k in 0..kk {
                        out[(o * c_in + c) * kk + k] = g[o * kk * c_in + k * c_in + c];
                    }
                }
            }
            out
        }
        Conv::Burn(c) => read(c.weight.grad(&grads).unwrap()),
    };
    [read(y), dx, dw]
}

#[test]
fn gemm_conv_matches_burn_conv2d_forward_and_both_gradients() {
    for (shape, c_out, kernel, stride) in [
        ([4, 3, 9, 9], 5, 3, 2),
        ([2, 6, 28, 28], 8, 3, 2),
        ([3, 4, 7, 7], 6, 3, 1),
        ([2, 5, 8, 6], 7, 1, 2),
        ([2, 2, 5, 5], 3, 1, 1),
    ] {
        let gemm = run(ConvKind::Gemm, shape, c_out, kernel, stride);
        let burn = run(ConvKind::Burn, shape, c_out, kernel, stride);
        let what = format!("{shape:?} -> {c_out}, {kernel}x{kernel} stride {stride}");
        assert_close(&format!("{what}: output"), &gemm[0], &burn[0]);
        assert_close(&format!("{what}: input gradient"), &gemm[1], &burn[1]);
        assert_close(&format!("{what}: weight gradient"), &gemm[2], &burn[2]);
    }
}

#[test]
fn gemm_layout_is_a_permutation_of_the_weights() {
    let w: Vec<f32> = (0..2 * 3 * 9).map(|i| i as f32).collect();
    let g = gemm_layout(&w, 3, 2, 3);
    let mut sorted = g.clone();
    sorted.sort_by(f32::total_cmp);
    assert_eq!(sorted, w);
    // Output 1, input channel 2, kernel position (1, 0) = 3.
    assert_eq!(g[9 * 3 + 3 * 3 + 2], w[(3 + 2) * 9 + 3]);
}

#[test]
fn whole_encoders_agree_whichever_convolution_runs() {
    // Training mode (batch statistics, on the autodiff device) and evaluation mode.
    for (encoder, training) in [
        ("convnet", true),
        ("convnet", false),
        ("resnet", true),
        ("resnet", false),
    ] {
        let device = if training {
            cpu_device().autodiff()
        } else {
            cpu_device()
        };
        let reps: Vec<(Vec<f32>, Vec<Vec<f32>>)> = ["gemm", "burn"]
            .iter()
            .map(|conv| {
                let c = decode(&format!("encoder={encoder}&conv={conv}&width=0.25")).config;
                let model = Model::new(&c, 4, 16, 16, &device);
                let x = Tensor::<4>::from_data(
                    TensorData::new(random(3 * 4 * 16 * 16, 4), [3, 4, 16, 16]),
                    &device,
                );
                let (maps, h) = model.encoder.forward_blocks(x, 3);
                (read(h), maps.into_iter().map(read).collect())
            })
            .collect();
        let what = format!("{encoder} (training {training})");
        assert_close(&format!("{what} representation"), &reps[0].0, &reps[1].0);
        for (b, (m0, m1)) in reps[0].1.iter().zip(&reps[1].1).enumerate() {
            assert_close(&format!("{what} block {}", b + 1), m0, m1);
        }
    }
}

/// Output and both gradients of a [`GemmConv`] on the CPU device, through `forward` (the CPU
/// kernel there) or `forward_tensor_ops`.
fn run_gemm(
    kernel_path: bool,
    [c_in, h, w, n]: [usize; 4],
    c_out: usize,
    kernel: usize,
    stride: usize,
) -> [Vec<f32>; 3] {
    let device = cpu_device().autodiff();
    let weights = random(c_out * c_in * kernel * kernel, 5);
    let Conv::Gemm(conv) = Conv::new(
        ConvKind::Gemm,
        c_in,
        c_out,
        kernel,
        stride,
        weights,
        &device,
    ) else {
        unreachable!()
    };
    let x = Tensor::<4>::from_data(
        TensorData::new(random(c_in * h * w * n, 6), [c_in, h, w, n]),
        &device,
    )
    .require_grad();
    let y = if kernel_path {
        conv.forward(x.clone())
    } else {
        conv.forward_tensor_ops(x.clone())
    }; // [c_out, ho, wo, n]
    let r = Tensor::<4>::from_data(
        TensorData::new(random(y.shape().num_elements(), 7), y.shape()),
        &device,
    );
    let grads = (y.clone() * r).sum().backward();
    let dx = read(x.grad(&grads).unwrap());
    let dw = read(conv.weight.grad(&grads).unwrap());
    [read(y), dx, dw]
}

#[test]
fn the_cpu_kernel_matches_the_tensor_op_convolution() {
    assert!(kernels::available(&cpu_device().autodiff()));
    assert!(kernels::available(&cpu_device()));
    for (shape, c_out, kernel, stride) in [
        ([3, 9, 9, 4], 5, 3, 2),
        ([6, 28, 28, 2], 8, 3, 2),
        ([4, 7, 7, 3], 6, 3, 1),
        ([5, 8, 6, 2], 7, 1, 2),
        ([2, 5, 5, 1], 3, 5, 1),
    ] {
        let kernel_run = run_gemm(true, shape, c_out, kernel, stride);
        let ops_run = run_gemm(false, shape, c_out, kernel, stride);
        let what = format!("{shape:?} -> {c_out}, {kernel}x{kernel} stride {stride}");
        for (i, part) in ["output", "input gradient", "weight gradient"]
            .iter()
            .enumerate()
        {
            assert_close(&format!("{what}: {part}"), &kernel_run[i], &ops_run[i]);
        }
    }
}

/// The kernel's backward computes its two gradients alongside each other on the pool's threads:
/// the numbers must not depend on how many there are.
#[test]
fn the_cpu_kernels_gradients_are_the_same_on_any_number_of_threads() {
    for (shape, c_out, kernel, stride) in [([6, 28, 28, 16], 8, 3, 2), ([32, 7, 7, 8], 64, 3, 1)] {
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_gemm(true, shape, c_out, kernel, stride))
        };
        let one = on(1);
        for threads in [2, 3, 8] {
            assert!(
                on(threads) == one,
                "{shape:?} -> {c_out}: other numbers on {threads} threads"
            );
        }
    }
}

#[test]
fn col2im_is_the_adjoint_of_im2col() {
    // <im2col(x), c> = <x, col2im(c)> for any x and c, padding and strides included.
    for (kernel, stride, [c, h, w, n]) in [
        (3, 2, [2, 7, 6, 3]),
        (3, 1, [3, 5, 5, 2]),
        (1, 2, [2, 4, 5, 1]),
    ] {
        let g = geometry(kernel, stride, [c, h, w, n]);
        let x = random(c * h * w * n, 8);
        let cols = im2col(&x, g);
        let r = random(cols.len(), 9);
        let lhs: f64 = cols.iter().zip(&r).map(|(a, b)| (a * b) as f64).sum();
        let rhs: f64 = x
            .iter()
            .zip(&col2im(&r, g))
            .map(|(a, b)| (a * b) as f64)
            .sum();
        assert!(
            (lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0),
            "{lhs} vs {rhs}"
        );
    }
}

#[test]
fn im2col_matches_a_naive_gather() {
    let (kernel, stride, [c, h, w, n]) = (3, 2, [2, 5, 6, 3]);
    let g = geometry(kernel, stride, [c, h, w, n]);
    let x = random(c * h * w * n, 10);
    let cols = im2col(&x, g);
    let (ho, wo) = ((h + 2 - 3) / 2 + 1, (w + 2 - 3) / 2 + 1);
    let mut naive = Vec::new();
    for ky in 0..3 {
        for kx in 0..3 {
            for ci in 0..c {
                for oy in 0..ho {
                    for ox in 0..wo {
                        for b in 0..n {
                            let (y, xx) = ((oy * 2 + ky) as isize - 1, (ox * 2 + kx) as isize - 1);
                            naive.push(if y < 0 || xx < 0 || y >= h as isize || xx >= w as isize {
                                0.0
                            } else {
                                x[((ci * h + y as usize) * w + xx as usize) * n + b]
                            });
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cols, naive);
}

/// Output, running statistics and the input, γ and β gradients of BatchNorm (and ReLU) on a
/// batch-last map: through `Layout::batch_norm[_relu]` (the CPU kernel), or burn's BatchNorm
/// module on the same values as `[1, c, m]`.
fn run_norm(kernel_path: bool, relu: bool, [c, h, w, n]: [usize; 4]) -> [Vec<f32>; 6] {
    let device = cpu_device().autodiff();
    let mut bn = burn::nn::BatchNormConfig::new(c).init(&device);
    bn.gamma = burn::module::Param::from_data(TensorData::new(random(c, 11), [c]), &device);
    bn.beta = burn::module::Param::from_data(TensorData::new(random(c, 12), [c]), &device);
    let x = Tensor::<4>::from_data(
        TensorData::new(random(c * h * w * n, 13), [c, h, w, n]),
        &device,
    )
    .require_grad();
    let y = if kernel_path {
        if relu {
            Layout::BatchLast.batch_norm_relu(&bn, x.clone())
        } else {
            Layout::BatchLast.batch_norm(&bn, x.clone())
        }
    } else {
        let y = bn
            .forward(x.clone().reshape([1, c, h * w * n]))
            .reshape([c, h, w, n]);
        if relu {
            burn::tensor::activation::relu(y)
        } else {
            y
        }
    }; // [c, h, w, n]
    let r = Tensor::<4>::from_data(
        TensorData::new(random(c * h * w * n, 14), [c, h, w, n]),
        &device,
    );
    let grads = (y.clone() * r).sum().backward();
    [
        read(y),
        read(bn.running_mean.value()),
        read(bn.running_var.value()),
        read(x.grad(&grads).unwrap()),
        read(bn.gamma.grad(&grads).unwrap()),
        read(bn.beta.grad(&grads).unwrap()),
    ]
}

#[test]
fn the_cpu_batch_norm_matches_burns_with_and_without_relu() {
    for relu in [false, true] {
        for shape in [[3, 4, 4, 5], [8, 7, 7, 16], [2, 1, 1, 37]] {
            let kernel_run = run_norm(true, relu, shape);
            let burn_run = run_norm(false, relu, shape);
            for (i, part) in [
                "output",
                "running mean",
                "running variance",
                "input gradient",
                "gamma gradient",
                "beta gradient",
            ]
            .iter()
            .enumerate()
            {
                assert_close(
                    &format!("{shape:?} relu {relu}: {part}"),
                    &kernel_run[i],
                    &burn_run[i],
                );
            }
        }
    }
}

#[test]
fn a_nan_in_the_map_stays_nan_through_the_cpu_batch_norm() {
    // The training loop stops on a non-finite loss; the kernels must not hide a NaN.
    let device = cpu_device().autodiff();
    let bn = burn::nn::BatchNormConfig::new(2).init(&device);
    let mut values = random(2 * 3 * 3 * 4, 15);
    values[5] = f32::NAN;
    let x = Tensor::<4>::from_data(TensorData::new(values, [2, 3, 3, 4]), &device);
    for y in [
        Layout::BatchLast.batch_norm(&bn, x.clone()),
        Layout::BatchLast.batch_norm_relu(&bn, x),
    ] {
        let y = read(y);
        assert!(
            y[..36].iter().all(|v| v.is_nan()),
            "channel 0 holds the NaN"
        );
        assert!(y[36..].iter().all(|v| v.is_finite()), "channel 1 does not");
    }
}

/// `a · b` in one product on one thread (the kernels' own, uncut): `a` is `[m, k]` with strides
/// `(a_rs, a_cs)`, `b` is `[k, n]` with strides `(b_rs, b_cs)`.
fn one_product(
    [m, n, k]: [usize; 3],
    (a, a_rs, a_cs): (&[f32], isize, isize),
    (b, b_rs, b_cs): (&[f32], isize, isize),
) -> Vec<f32> {
    let mut out = vec![0.0f32; m * n];
    // SAFETY: the strides describe matrices inside `a`, `b` and `out` (callers' sizes).
    unsafe {
        kernels::conv::product_into(
            [m, n, k],
            out.as_mut_ptr(),
            n,
            (a.as_ptr(), a_rs, a_cs),
            (b.as_ptr(), b_rs, b_cs),
        );
    }
    out
}

#[test]
fn the_kernels_products_are_the_same_sums_however_their_columns_are_cut() {
    use kernels::conv::{INNER_PART, plain};
    // The last layer at batch 64 (one inner part, several column blocks) and a wider map
    // (two inner parts, the second short).
    for (c, h, n, c_out) in [(64, 7, 128, 64), (32, 14, 48, 64)] {
        let g = geometry(3, 2, [c, h, h, n]);
        let x = random(c * h * h * n, 20);
        let weight = random(c_out * 9 * c, 21);
        let (rows, cols_n) = (9 * c, {
            let o = (h + 2 - 3) / 2 + 1;
            o * o * n
        });
        let (y, cols) = plain::forward(&x, &weight, c_out, g);
        let whole = one_product(
            [c_out, cols_n, rows],
            (&weight, rows as isize, 1),
            (&cols, cols_n as isize, 1),
        );
        assert!(y == whole, "forward: not the same sums as one product");

        let dy = random(c_out * cols_n, 22);
        let dw = plain::weight_grad(&dy, &cols, c_out, g);
        let mut expected = vec![0.0f32; c_out * rows];
        for (p, k0) in (0..cols_n).step_by(INNER_PART).enumerate() {
            let k1 = (k0 + INNER_PART).min(cols_n);
            let part = one_product(
                [c_out, rows, k1 - k0],
                (&dy[k0..], cols_n as isize, 1),
                (&cols[k0..], 1, cols_n as isize),
            );
            if p == 0 {
                expected = part;
            } else {
                expected.iter_mut().zip(part).for_each(|(s, v)| *s += v);
            }
        }
        assert!(
            dw == expected,
            "weight gradient: not the same sums as whole parts"
        );
    }
}

#[test]
fn the_column_cuts_cover_every_column_once_and_keep_gemms_path() {
    use kernels::parts::{GRAD_COLUMN_PART, OUTPUT_PART, column_parts};
    for threads in [1, 2, 3, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            for (n, widest, alongside) in [
                (25_088, OUTPUT_PART, 1),
                (6_272, OUTPUT_PART, 1),
                (2_048, OUTPUT_PART, 1),
                (576, OUTPUT_PART, 1),
                (560, OUTPUT_PART, 1),
                (64, OUTPUT_PART, 1),
                (3, OUTPUT_PART, 1),
                (576, GRAD_COLUMN_PART, 1),
                (288, GRAD_COLUMN_PART, 4),
                (54, GRAD_COLUMN_PART, 13),
            ] {
                let parts = column_parts(n, widest, alongside);
                let mut next = 0;
                for p in &parts {
                    assert_eq!(p.start, next, "{n} columns: parts in order, no gap");
                    assert!(p.end > p.start, "{n} columns: no empty part");
                    // The part of `widest` it lies in, as the uncut product would have it.
                    let whole = widest.min(n - p.start / widest * widest);
                    assert_eq!(p.start / widest, (p.end - 1) / widest, "inside one part");
                    assert!(p.end - p.start <= widest);
                    if whole > 64 {
                        assert!(p.end - p.start > 64, "{n}: {p:?} on gemm's small path");
                    }
                    next = p.end;
                }
                assert_eq!(next, n, "{n} columns: all covered");
            }
        });
    }
}

#[test]
fn the_products_are_the_same_sums_on_any_number_of_threads() {
    use kernels::conv::plain;
    // The last two layers at batch 64 and a map whose inner size exceeds gemm's 512 blocking.
    for (c, h, n, c_out) in [(64, 7, 128, 64), (32, 14, 128, 64), (64, 7, 20, 32)] {
        let g = geometry(3, 2, [c, h, h, n]);
        let x = random(c * h * h * n, 30);
        let weight = random(c_out * 9 * c, 31);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let (y, cols) = plain::forward(&x, &weight, c_out, g);
                let dw = plain::weight_grad(&y, &cols, c_out, g);
                let dx = plain::input_grad(&y, &weight, c_out, g);
                (y, dw, dx)
            })
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert!(run(threads) == one, "{threads} threads: other sums");
        }
    }
}
