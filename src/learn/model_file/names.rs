//! The file's tensor names and layouts, the same whatever device or convolution kind trained
//! the model: PyTorch's conventions (`bench/pytorch/load_model.py` reads them as they are).
//!
//! A tensor is named by its module path with the enum variants left out and BatchNorm's
//! `gamma`/`beta` called `weight`/`bias`: `encoder.blocks.0.conv.weight`,
//! `encoder.blocks.0.bn.running_mean`, `head.last.weight`, `probes.0.bias`. Linear weights are
//! `[out, in]` (burn keeps `[in, out]`); convolution weights `[out, in, k, k]` (the batch-level
//! GEMM keeps `[out, k·k·in]`); the encoder's convolutions are 3×3 and the ResNet's shortcuts
//! 1×1.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use std::collections::BTreeMap;

use super::safetensors::Tensor as FileTensor;
use crate::learn::conv::gemm_layout;

/// Where a tensor sits: the module path (name, container type) down to it.
type Path = Vec<(String, String)>;

/// The file's name of the tensor at `path`, under `prefix`.
fn canonical(prefix: &str, path: &Path) -> String {
    let mut parts: Vec<String> = (!prefix.is_empty())
        .then(|| prefix.to_string())
        .into_iter()
        .collect();
    for (i, (name, container)) in path.iter().enumerate() {
        if container.starts_with("Enum:") {
            continue; // a variant: the encoder kind, the convolution kind, the control head
        }
        let last = i + 1 == path.len();
        parts.push(match (last, container.as_str(), name.as_str()) {
            (true, "Struct:BatchNorm", "gamma") => "weight".into(),
            (true, "Struct:BatchNorm", "beta") => "bias".into(),
            _ => name.clone(),
        });
    }
    parts.join(".")
}

/// How a module keeps the tensor at `path`, against the file's layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Layout {
    /// The same numbers in the same order.
    Same,
    /// burn's Linear `[in, out]`; the file's `[out, in]`.
    Transposed,
    /// The batch-level GEMM's `[out, k·k·in]`; the file's `[out, in, k, k]`.
    Gemm { kernel: usize },
}

fn layout(path: &Path) -> Layout {
    match path.last().map(|(n, c)| (n.as_str(), c.as_str())) {
        Some(("weight", "Struct:Linear")) => Layout::Transposed,
        Some(("weight", "Struct:GemmConv")) => {
            let shortcut = path.iter().any(|(n, _)| n == "shortcut");
            Layout::Gemm {
                kernel: if shortcut { 1 } else { 3 },
            }
        }
        _ => Layout::Same,
    }
}

/// A module's tensor in the file's layout.
fn to_file(layout: Layout, dims: &[usize], values: Vec<f32>) -> FileTensor {
    match (layout, dims) {
        (Layout::Transposed, &[d_in, d_out]) => FileTensor {
            shape: vec![d_out, d_in],
            values: transpose(&values, d_in, d_out),
        },
        (Layout::Gemm { kernel }, &[c_out, cols]) => {
            let (kk, c_in) = (kernel * kernel, cols / (kernel * kernel));
            let mut out = vec![0.0; values.len()];
            for o in 0..c_out {
                for c in 0..c_in {
                    for k in 0..kk {
                        out[(o * c_in + c) * kk + k] = values[o * cols + k * c_in + c];
                    }
                }
            }
            FileTensor {
                shape: vec![c_out, c_in, kernel, kernel],
                values: out,
            }
        }
        _ => FileTensor {
            shape: dims.to_vec(),
            values,
        },
    }
}

/// The file's tensor in the module's layout for a parameter of shape `dims`, or why it does not
/// fit. `fewer_inputs`: a convolution may take fewer input channels than the file's (the first
/// ones), as when an encoder trained with RandBit's bit planes meets images without them.
fn from_file(
    layout: Layout,
    t: &FileTensor,
    dims: &[usize],
    fewer_inputs: bool,
) -> Result<Vec<f32>, String> {
    let shape = &t.shape;
    let wrong = || format!("the file has shape {shape:?}, this model needs {dims:?}");
    let sliced = |c_in: usize| -> Result<Vec<f32>, String> {
        // [out, in, k, k] with in ≥ c_in: keep the first c_in input channels.
        let (c_out, file_in, kk) = (shape[0], shape[1], shape[2] * shape[3]);
        if c_in > file_in || (c_in < file_in && !fewer_inputs) {
            return Err(wrong());
        }
        Ok((0..c_out)
            .flat_map(|o| (0..c_in * kk).map(move |i| (o, i)))
            .map(|(o, i)| t.values[o * file_in * kk + i])
            .collect())
    };
    match (layout, dims) {
        (Layout::Transposed, &[d_in, d_out]) if shape[..] == [d_out, d_in] => {
            Ok(transpose(&t.values, d_out, d_in))
        }
        (Layout::Gemm { kernel }, &[c_out, cols])
            if shape.len() == 4 && shape[0] == c_out && shape[2..] == [kernel, kernel] =>
        {
            let c_in = cols / (kernel * kernel);
            Ok(gemm_layout(&sliced(c_in)?, c_in, c_out, kernel))
        }
        (Layout::Same, &[c_out, c_in, k, k2])
            if shape.len() == 4 && shape[0] == c_out && shape[2..] == [k, k2] =>
        {
            sliced(c_in)
        }
        (Layout::Same, _) if shape[..] == *dims => Ok(t.values.clone()),
        _ => Err(wrong()),
    }
}

fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// A module's tensors, named, still on the device (read them with one async read).
pub(super) struct Collected {
    pub names: Vec<String>,
    pub dims: Vec<Vec<usize>>,
    pub layouts: Vec<Layout>,
    pub flat: Vec<Tensor<1>>,
}

impl Collected {
    /// The tensors' host values (`values`: every tensor's, back to back) in the file's layout.
    pub fn into_file(self, values: &[f32]) -> BTreeMap<String, FileTensor> {
        let mut at = 0;
        let mut out = BTreeMap::new();
        for ((name, dims), layout) in self.names.into_iter().zip(self.dims).zip(self.layouts) {
            let n: usize = dims.iter().product();
            out.insert(name, to_file(layout, &dims, values[at..at + n].to_vec()));
            at += n;
        }
        out
    }
}

struct Collector<'a> {
    prefix: &'a str,
    path: Path,
    out: &'a mut Collected,
}

impl ModuleVisitor for Collector<'_> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path.push((name.into(), container_type.into()));
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val();
        self.out.names.push(canonical(self.prefix, &self.path));
        self.out.dims.push(t.dims().to_vec());
        self.out.layouts.push(layout(&self.path));
        self.out.flat.push(t.detach().reshape([-1]));
    }
}

/// Adds `module`'s tensors under `prefix` to `out`.
pub(super) fn collect<M: Module>(module: &M, prefix: &str, out: &mut Collected) {
    module.visit(&mut Collector {
        prefix,
        path: Vec::new(),
        out,
    });
}

impl Collected {
    pub fn new() -> Self {
        Self {
            names: Vec::new(),
            dims: Vec::new(),
            layouts: Vec::new(),
            flat: Vec::new(),
        }
    }
}

/// Replaces a module's tensors with the file's, recording every name it used and every tensor
/// that does not fit.
struct Loader<'a> {
    prefix: &'a str,
    path: Path,
    file: &'a BTreeMap<String, FileTensor>,
    /// Whether the first convolution may take fewer input channels than the file's.
    fewer_inputs: bool,
    seen_conv: bool,
    used: Vec<String>,
    errors: Vec<String>,
}

impl ModuleMapper for Loader<'_> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.path.push((name.into(), container_type.into()));
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let name = canonical(self.prefix, &self.path);
        let layout = layout(&self.path);
        let dims = param.val().dims();
        let first_conv = dims.len() == 4 || matches!(layout, Layout::Gemm { .. });
        let fewer = first_conv && !self.seen_conv && self.fewer_inputs;
        self.seen_conv |= first_conv;
        let Some(t) = self.file.get(&name) else {
            self.errors.push(format!("{name}: not in the file"));
            return param;
        };
        self.used.push(name.clone());
        match from_file(layout, t, &dims, fewer) {
            Ok(values) => param.map(|old| {
                let grad = old.is_require_grad();
                Tensor::from_data(TensorData::new(values, dims), &old.device())
                    .set_require_grad(grad)
            }),
            Err(why) => {
                self.errors.push(format!("{name}: {why}"));
                param
            }
        }
    }
}

/// `module` with its tensors under `prefix` taken from `file`, and the names it used; or every
/// tensor that is missing or does not fit.
pub(super) fn load<M: Module>(
    module: M,
    prefix: &str,
    file: &BTreeMap<String, FileTensor>,
    fewer_inputs: bool,
) -> Result<(M, Vec<String>), Vec<String>> {
    let mut loader = Loader {
        prefix,
        path: Vec::new(),
        file,
        fewer_inputs,
        seen_conv: false,
        used: Vec::new(),
        errors: Vec::new(),
    };
    let module = module.map(&mut loader);
    match loader.errors.is_empty() {
        true => Ok((module, loader.used)),
        false => Err(loader.errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_convert_both_ways() {
        // burn's Linear [in=2, out=3] and the file's [3, 2].
        let w = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let f = to_file(Layout::Transposed, &[2, 3], w.clone());
        assert_eq!(
            (f.shape.clone(), f.values.clone()),
            (vec![3, 2], vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0])
        );
        assert_eq!(
            from_file(Layout::Transposed, &f, &[2, 3], false).unwrap(),
            w
        );
        // A 3×3 convolution of 2 → 2 channels: burn's layout is the file's.
        let burn: Vec<f32> = (0..36).map(|i| i as f32).collect();
        let gemm = gemm_layout(&burn, 2, 2, 3);
        let f = to_file(Layout::Gemm { kernel: 3 }, &[2, 18], gemm.clone());
        assert_eq!(
            (f.shape.clone(), f.values.clone()),
            (vec![2, 2, 3, 3], burn.clone())
        );
        assert_eq!(
            from_file(Layout::Gemm { kernel: 3 }, &f, &[2, 18], false).unwrap(),
            gemm
        );
        // One input channel of the two: the first one's weights, only where allowed.
        let one = from_file(Layout::Same, &f, &[2, 1, 3, 3], true).unwrap();
        assert_eq!(one, [&burn[..9], &burn[18..27]].concat());
        assert!(from_file(Layout::Same, &f, &[2, 1, 3, 3], false).is_err());
        assert!(from_file(Layout::Same, &f, &[2, 3, 3, 3], true).is_err());
    }

    #[test]
    fn names_leave_out_variants_and_use_pytorchs_batchnorm_words() {
        let path: Path = [
            ("encoder", "Struct:Model"),
            ("ConvNet", "Enum:Encoder"),
            ("blocks", "Struct:ConvNet"),
            ("0", "Vec"),
            ("bn", "Struct:ConvBn"),
            ("gamma", "Struct:BatchNorm"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(canonical("", &path), "encoder.blocks.0.bn.weight");
        assert_eq!(canonical("probes", &path[4..].to_vec()), "probes.bn.weight");
    }
}
