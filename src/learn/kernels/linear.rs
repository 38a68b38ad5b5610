//! burn's dense layer (`y = x·W + b`) on the CPU with its products shared between the cores.
//!
//! burn multiplies a dense layer's products on one thread below about 7 M multiply-adds (the
//! projection head, the probes) and with gemm's own threading above (the ConvNet's dense
//! layer), where one thread often finishes long before the other. Here each product's output
//! rows are cut into parts ([`row_parts`](super::parts::row_parts)) that every thread takes
//! from: the same sums as burn's (tested bit for bit in `tests/linear.rs`), and the bias is
//! added, and its gradient summed, by burn's own operations:
//!
//! * forward: `y = x·W + b`
//! * backward: `dx = dy·Wᵀ`, `dW = xᵀ·dy`, `db = Σ_rows dy`
//!
//! The input may also come as columns, `xᵀ` `[d_in, rows]` ([`Input::Columns`]): the ConvNet's
//! last batch-last maps `[c, h, w, n]` are that, flattened channels-first, without the two
//! transposing copies (forward and backward) a `[rows, d_in]` input costs them. Every entry is
//! the same sum as for rows: each is one dot product over the same inner index in the same
//! order, and gemm's blocking depends on the product's sizes, not on the operands' strides
//! (tested bit for bit against burn in `tests/linear.rs`). Its gradient then comes as columns
//! too, `dxᵀ = W·dyᵀ`.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::{FloatTensorOps, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, backend_extension};
use burn::nn::Linear;
use burn::prelude::*;

use super::parts::GEMM_DOTS;
use super::product::{Operand, by_rows};
use super::{tensor, values};

/// How a dense layer's input is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// `x` `[rows, d_in]`.
    Rows,
    /// `xᵀ` `[d_in, rows]`.
    Columns,
}

impl Input {
    /// The shape in which a `[rows, d]` matrix is stored this way; read back, a stored shape
    /// gives `[rows, d]` (the swap is its own inverse).
    fn stored(self, [rows, d]: [usize; 2]) -> [usize; 2] {
        match self {
            Input::Rows => [rows, d],
            Input::Columns => [d, rows],
        }
    }
}

/// The kernels on plain slices.
pub mod plain {
    use super::*;

    /// `x·W` `[rows, d_out]`: `x` `[rows, d_in]` (or as `input` says), `W` `[d_in, d_out]`.
    pub fn forward(
        x: &[f32],
        w: &[f32],
        [rows, d_in, d_out]: [usize; 3],
        input: Input,
    ) -> Vec<f32> {
        by_rows(
            input_operand(x, [rows, d_in], input, false),
            operand(w, d_in, d_out, false),
        )
    }

    /// `dy·Wᵀ` `[rows, d_in]`, or for columns its transpose `W·dyᵀ` `[d_in, rows]`.
    pub fn input_grad(
        dy: &[f32],
        w: &[f32],
        [rows, d_in, d_out]: [usize; 3],
        input: Input,
    ) -> Vec<f32> {
        match input {
            Input::Rows => by_rows(
                operand(dy, rows, d_out, false),
                operand(w, d_in, d_out, true),
            ),
            Input::Columns => by_rows(
                operand(w, d_in, d_out, false),
                operand(dy, rows, d_out, true),
            ),
        }
    }

    /// `xᵀ·dy` `[d_in, d_out]`.
    pub fn weight_grad(
        x: &[f32],
        dy: &[f32],
        [rows, d_in, d_out]: [usize; 3],
        input: Input,
    ) -> Vec<f32> {
        by_rows(
            input_operand(x, [rows, d_in], input, true),
            operand(dy, rows, d_out, false),
        )
    }

    /// The input as `[rows, d_in]`, or `transposed` as `[d_in, rows]`.
    fn input_operand(
        x: &[f32],
        [rows, d_in]: [usize; 2],
        input: Input,
        transposed: bool,
    ) -> Operand<'_> {
        let [r, c] = input.stored([rows, d_in]);
        operand(x, r, c, transposed != (input == Input::Columns))
    }

    fn operand(data: &[f32], rows: usize, cols: usize, transposed: bool) -> Operand<'_> {
        Operand {
            data,
            rows,
            cols,
            transposed,
        }
    }
}

/// A dense layer as a backend operation: `x` `[rows, d_in]` (or as `input` says), `W`
/// `[d_in, d_out]`, `b` `[d_out]` → `x·W + b` `[rows, d_out]`.
#[backend_extension(Flex, Autodiff)]
pub trait RowLinear: Backend {
    fn row_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        input: Input,
    ) -> FloatTensor<Self>;
}

/// What the CPU backend computes for [`RowLinear`].
pub trait RowLinearKernels: Backend {
    fn linear_forward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        input: Input,
    ) -> FloatTensor<Self>;
    /// `dy·Wᵀ`, or for columns `W·dyᵀ`.
    fn linear_input_grad(
        weight: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        input: Input,
    ) -> FloatTensor<Self>;
    /// `xᵀ·dy`.
    fn linear_weight_grad(
        x: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        input: Input,
    ) -> FloatTensor<Self>;
    /// `Σ_rows dy`.
    fn linear_bias_grad(dy: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// `[rows, d_in, d_out]` of a layer's input (stored as `input` says) and weight.
fn sizes(x: &FlexTensor, weight: &FlexTensor, input: Input) -> [usize; 3] {
    let ([rows, _], ws) = (input_dims(x, input), weight.layout().shape());
    [rows, ws[0], ws[1]]
}

/// `[rows, d_in]` of a layer's input stored as `input` says.
fn input_dims(x: &FlexTensor, input: Input) -> [usize; 2] {
    let xs = x.layout().shape();
    input.stored([xs[0], xs[1]])
}

impl RowLinearKernels for Flex {
    fn linear_forward(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        input: Input,
    ) -> FlexTensor {
        let dims = sizes(&x, &weight, input);
        let y = plain::forward(&values(&x), &values(&weight), dims, input);
        // The bias as burn's dense layer adds it.
        let bias = Flex::float_reshape(bias, Shape::new([1, dims[2]]));
        Flex::float_add(tensor(y, [dims[0], dims[2]]), bias)
    }

    fn linear_input_grad(weight: FlexTensor, dy: FlexTensor, input: Input) -> FlexTensor {
        let (ws, rows) = (weight.layout().shape().clone(), dy.layout().shape()[0]);
        let dims = [rows, ws[0], ws[1]];
        tensor(
            plain::input_grad(&values(&dy), &values(&weight), dims, input),
            input.stored([rows, ws[0]]),
        )
    }

    fn linear_weight_grad(x: FlexTensor, dy: FlexTensor, input: Input) -> FlexTensor {
        let [rows, d_in] = input_dims(&x, input);
        let d_out = dy.layout().shape()[1];
        tensor(
            plain::weight_grad(&values(&x), &values(&dy), [rows, d_in, d_out], input),
            [d_in, d_out],
        )
    }

    fn linear_bias_grad(dy: FlexTensor) -> FlexTensor {
        Flex::linear_bias_backward(dy)
    }
}

impl RowLinear for Flex {
    fn row_linear(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, input: Input) -> FlexTensor {
        Self::linear_forward(x, weight, bias, input)
    }
}

#[derive(Debug)]
struct RowLinearBackward;

impl<B: RowLinearKernels> Backward<B, 3> for RowLinearBackward {
    /// The input, the weight and how the input is stored.
    type State = (FloatTensor<B>, FloatTensor<B>, Input);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let (x, weight, input) = ops.state;
        let dy = grads.consume::<B>(&ops.node);
        // Independent products: each thread that finishes its share of one takes parts of the
        // other instead of waiting for the last part.
        let (want_x, want_w, dy_x, dy_w) = (
            node_x.is_some(),
            node_weight.is_some(),
            dy.clone(),
            dy.clone(),
        );
        let (dx, dw) = crate::par::alongside(
            move || want_x.then(|| B::linear_input_grad(weight, dy_x, input)),
            move || want_w.then(|| B::linear_weight_grad(x, dy_w, input)),
        );
        if let (Some(node), Some(dx)) = (node_x, dx) {
            grads.register::<B>(node.id, dx);
        }
        if let (Some(node), Some(dw)) = (node_weight, dw) {
            grads.register::<B>(node.id, dw);
        }
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, B::linear_bias_grad(dy));
        }
    }
}

impl<B: RowLinearKernels, C: CheckpointStrategy> RowLinear for Autodiff<B, C> {
    fn row_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        input: Input,
    ) -> FloatTensor<Self> {
        let prep = RowLinearBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful();
        let (x, weight, bias) = (
            x.into_primitive(),
            weight.into_primitive(),
            bias.into_primitive(),
        );
        let y = B::linear_forward(x.clone(), weight.clone(), bias, input);
        match prep {
            OpsKind::Tracked(prep) => prep.finish((x, weight, input), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }
}

/// Whether `layer` runs on the CPU kernels for `rows` rows on `device`: where they are
/// [`available`](super::available) and every product of the layer is larger than gemm's
/// special cases (at most [`GEMM_DOTS`] outputs, or a side of 2 or less: paths of their own,
/// which depend on the operands' strides). Elsewhere burn's `Linear::forward` runs (the same
/// numbers).
pub fn on_kernels(layer: &Linear, rows: usize, device: &Device) -> bool {
    let [d_in, d_out] = layer.weight.dims();
    let large = [rows * d_out, d_in * d_out, rows * d_in]
        .iter()
        .all(|&outputs| outputs > GEMM_DOTS)
        && rows.min(d_in).min(d_out) > 2;
    large && layer.bias.is_some() && super::available(device)
}

/// `layer`'s output for `x` `[rows, d_in]` → `[rows, d_out]` ([`on_kernels`], else burn's).
pub fn forward(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    if on_kernels(layer, x.dims()[0], &x.device()) {
        kernel_forward(layer, x, Input::Rows)
    } else {
        layer.forward(x)
    }
}

/// `layer`'s output for its input given as columns, `xᵀ` `[d_in, rows]` → `[rows, d_out]`,
/// where it runs [`on_kernels`] (callers check); the input's gradient comes as columns too.
pub fn forward_columns(layer: &Linear, xt: Tensor<2>) -> Tensor<2> {
    assert!(
        on_kernels(layer, xt.dims()[1], &xt.device()),
        "forward_columns: only on the CPU kernels"
    );
    kernel_forward(layer, xt, Input::Columns)
}

fn kernel_forward(layer: &Linear, x: Tensor<2>, input: Input) -> Tensor<2> {
    let bias = layer
        .bias
        .as_ref()
        .expect("on_kernels: a layer with a bias");
    Tensor::from_dispatch(<burn::backend::Dispatch as RowLinear>::row_linear(
        x.into_dispatch(),
        layer.weight.val().into_dispatch(),
        bias.val().into_dispatch(),
        input,
    ))
}
