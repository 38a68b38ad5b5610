//! The one place concrete backends are named. Everything else takes a `Device`.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

/// Which backend trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    /// burn's `flex` CPU backend (SIMD + threads natively; single-threaded in a worker on wasm).
    Cpu,
    /// burn's wgpu backend: Vulkan/Metal natively, WebGPU in the browser.
    Wgpu,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// Whether `Tensor::sort` runs on the device. burn's wgpu backend has no sort kernel (it
    /// reads back to the host, which panics on WebGPU), so SWD ranks by comparisons there.
    pub fn has_device_sort(self) -> bool {
        self == BackendKind::Cpu
    }
}

/// The plain (non-autodiff) CPU device.
pub fn cpu_device() -> Device {
    Device::flex()
}

/// The wgpu device natively: the default adapter (a real GPU, else e.g. lavapipe), with a clear
/// error when there is none. Initialised once per process; later calls return the same device.
#[cfg(not(target_family = "wasm"))]
pub fn wgpu_device() -> Result<Device, String> {
    use std::sync::OnceLock;
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            std::panic::catch_unwind(|| Device::wgpu_options().init())
                .map_err(|_| "wgpu initialisation panicked".to_string())?
                .map_err(|e| format!("no wgpu adapter: {e:?} (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers)"))
        })
        .clone()
}

/// The wgpu device in the browser, through WebGPU. Call once and keep the device.
#[cfg(target_family = "wasm")]
pub async fn wgpu_device_async() -> Result<Device, String> {
    Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| format!("WebGPU initialisation failed: {e:?}"))
}

/// The device for `kind` natively.
#[cfg(not(target_family = "wasm"))]
pub fn device(kind: BackendKind) -> Result<Device, String> {
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
