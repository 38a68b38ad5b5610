//! The one place concrete backends are chosen; the CPU kernels (`kernels`) also name burn's CPU
//! backend, which they extend. Everything else takes a `Device`.

use burn::prelude::Device;
use std::fmt;

pub use crate::record::BackendKind;

impl BackendKind {
    /// Whether `Tensor::sort` runs on the device. burn's wgpu backend has no sort kernel (it
    /// reads back to the host, which panics on WebGPU), so SWD ranks by comparisons there.
    pub fn has_device_sort(self) -> bool {
        self == BackendKind::Cpu
    }
}

/// Why a backend could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendError {
    /// No wgpu adapter (no GPU driver, no software Vulkan).
    NoAdapter(String),
    /// wgpu's initialisation panicked.
    InitPanicked,
    /// The browser's WebGPU failed to give a device.
    WebGpu(String),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::NoAdapter(e) => write!(
                f,
                "no wgpu adapter: {e} (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers)"
            ),
            BackendError::InitPanicked => write!(f, "wgpu initialisation panicked"),
            BackendError::WebGpu(e) => write!(f, "WebGPU initialisation failed: {e}"),
        }
    }
}

impl std::error::Error for BackendError {}

/// The plain (non-autodiff) CPU device.
pub fn cpu_device() -> Device {
    Device::flex()
}

/// The wgpu device natively: the default adapter (a real GPU, else e.g. lavapipe), with a clear
/// error when there is none. Initialised once per process; later calls return the same device.
#[cfg(not(target_family = "wasm"))]
pub fn wgpu_device() -> Result<Device, BackendError> {
    use std::sync::OnceLock;
    static DEVICE: OnceLock<Result<Device, BackendError>> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            std::panic::catch_unwind(|| Device::wgpu_options().init())
                .map_err(|_| BackendError::InitPanicked)?
                .map_err(|e| BackendError::NoAdapter(format!("{e:?}")))
        })
        .clone()
}

/// The wgpu device in the browser, through WebGPU. Call once and keep the device. Only the
/// WebGPU worker has it (the `webgpu` feature); the page and the CPU worker stay free of cubecl.
#[cfg(all(target_family = "wasm", feature = "webgpu"))]
pub async fn wgpu_device_async() -> Result<Device, BackendError> {
    Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| BackendError::WebGpu(format!("{e:?}")))
}

/// The device for `kind` natively.
#[cfg(not(target_family = "wasm"))]
pub fn device(kind: BackendKind) -> Result<Device, BackendError> {
    match kind {
        BackendKind::Cpu => Ok(cpu_device()),
        BackendKind::Wgpu => wgpu_device(),
    }
}

/// Runs a future to completion on the current thread (native only: the CLI and tests drive the
/// same async training code the browser awaits).
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}
