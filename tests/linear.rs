//! The CPU's dense layer against burn's `Linear`: the same output and the same input, weight
//! and bias gradients bit for bit, on 1, 2, 3 and 8 threads, for the shapes the models use
//! (the ConvNet's dense layer, the projection head, the probes, the decoder) and for shapes at
//! the edges of gemm's special cases, with the input as rows and as columns (transposed, as the
//! ConvNet's batch-last maps give it); and its rows cut so that every part stays on gemm's path.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use std::convert::identity;

use cpg::learn::backend::cpu_device;
use cpg::learn::kernels::linear::{forward, forward_columns, on_kernels};
use cpg::learn::kernels::parts::row_parts;
use cpg::rng::stream;

fn random(count: usize, seed: u64) -> Vec<f32> {
    let mut rng = stream(seed, "linear-test", 0);
    (0..count).map(|_| rng.normal()).collect()
}

fn bits<const D: usize>(t: Tensor<D>) -> Vec<u32> {
    let values = t.into_data().try_into_vec_as::<f32>().unwrap();
    values.iter().map(|v| v.to_bits()).collect()
}

/// `(y, dx, dW, db)` of `layer` on `x` under `loss = Σ y·r`, through `run`; `dx` as `orient`
/// turns the input's gradient into `[rows, d_in]`.
fn outputs(
    layer: &Linear,
    x: &Tensor<2>,
    r: &Tensor<2>,
    run: impl Fn(&Linear, Tensor<2>) -> Tensor<2>,
    orient: impl Fn(Tensor<2>) -> Tensor<2>,
) -> [Vec<u32>; 4] {
    let x = x.clone().require_grad();
    let y = run(layer, x.clone());
    let mut grads = (y.clone() * r.clone()).sum().backward();
    let dx = x.grad_remove(&mut grads).unwrap();
    let dw = layer.weight.val().grad_remove(&mut grads).unwrap();
    let db = layer
        .bias
        .as_ref()
        .unwrap()
        .val()
        .grad_remove(&mut grads)
        .unwrap();
    [
        bits(y),
        bits(orient(Tensor::from_inner(dx))),
        bits(Tensor::from_inner(dw)),
        bits(Tensor::from_inner(db)),
    ]
}

fn same_as_burn(rows: usize, d_in: usize, d_out: usize, threads: usize) {
    let device = cpu_device().autodiff();
    let mut layer = LinearConfig::new(d_in, d_out).init(&device);
    layer.weight = Param::from_data(
        TensorData::new(random(d_in * d_out, 1), [d_in, d_out]),
        &device,
    );
    layer.bias = Some(Param::from_data(
        TensorData::new(random(d_out, 2), [d_out]),
        &device,
    ));
    let values = random(rows * d_in, 3);
    let x = Tensor::<2>::from_data(TensorData::new(values.clone(), [rows, d_in]), &device);
    // The same input stored as columns, `[d_in, rows]`, contiguous.
    let columns: Vec<f32> = (0..d_in * rows)
        .map(|at| values[(at % rows) * d_in + at / rows])
        .collect();
    let xt = Tensor::<2>::from_data(TensorData::new(columns, [d_in, rows]), &device);
    let r = Tensor::<2>::from_data(
        TensorData::new(random(rows * d_out, 4), [rows, d_out]),
        &device,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let (burns, ours, ours_columns) = pool.install(|| {
        (
            outputs(&layer, &x, &r, |l, x| l.forward(x), identity),
            outputs(&layer, &x, &r, forward, identity),
            on_kernels(&layer, rows, &device)
                .then(|| outputs(&layer, &xt, &r, forward_columns, |dxt| dxt.transpose())),
        )
    });
    for (input, ours) in [("rows", Some(ours)), ("columns", ours_columns)] {
        let Some(ours) = ours else { continue };
        for (k, what) in [
            "output",
            "input gradient",
            "weight gradient",
            "bias gradient",
        ]
        .iter()
        .enumerate()
        {
            assert!(
                ours[k] == burns[k],
                "{what} differs for [{rows}, {d_in}] → {d_out} (input as {input}) on {threads} threads"
            );
        }
    }
}

#[test]
fn the_dense_layer_is_burns_bit_for_bit_on_any_number_of_threads() {
    for (rows, d_in, d_out) in [
        (128, 2048, 128), // the ConvNet's dense layer at batch 64
        (512, 1024, 128), // the ConvNet's dense layer at batch 256, 28 × 28 images
        (128, 128, 256),  // the projection head
        (128, 256, 64),
        (64, 128, 10),    // a probe
        (32, 128, 2),     // a two-class probe (burn's own path)
        (256, 512, 3072), // the decoder's output at batch 128
        (130, 600, 64),   // inner size above gemm's 512 blocking, narrow output
        (40, 700, 40),    // gemm's small-product path
        (9, 30, 29),      // just above gemm's dot-product path
        (5, 3, 7),
    ] {
        for threads in [1, 2, 3, 8] {
            same_as_burn(rows, d_in, d_out, threads);
        }
    }
}

#[test]
fn row_parts_cover_every_row_once_and_keep_gemms_path() {
    for m in [1, 2, 7, 64, 65, 128, 130, 257, 2048] {
        for n in [1, 2, 3, 10, 64, 65, 128, 3072] {
            for k in [1, 3, 128, 512, 513, 2048] {
                let parts = row_parts([m, n, k]);
                let mut next = 0;
                for part in &parts {
                    assert_eq!(
                        part.start, next,
                        "[{m}, {n}, {k}]: rows skipped or repeated"
                    );
                    next = part.end;
                }
                assert_eq!(next, m, "[{m}, {n}, {k}]: rows missing");
                if parts.len() > 1 {
                    for part in &parts {
                        let rows = part.len();
                        assert!(rows >= 2 && rows * n > 256, "[{m}, {n}, {k}]: {rows} rows");
                        let small = |r: usize| r <= 64 && n <= 64;
                        assert!(
                            k <= 512 || small(rows) == small(m),
                            "[{m}, {n}, {k}]: {rows} rows change gemm's inner blocking"
                        );
                    }
                }
            }
        }
    }
}
