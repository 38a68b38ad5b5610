//! What each dataset kind takes from the config: whether it draws on base images, which knob
//! sets its image side, and what its samples carry. The generators, the memory budget and the
//! table's "used when" column all ask here, so adding a dataset kind means answering here once.

use super::{BaseKind, DataKind, ExperimentConfig};

impl DataKind {
    /// Whether the kind is drawn on base images (the `base` knob): RandBit appends its bits to
    /// them, DigitOnObjects pastes its digits onto them.
    pub fn uses_base(self) -> bool {
        matches!(self, DataKind::RandBit | DataKind::DigitOnObjects)
    }

    /// Whether the kind has held-out images for the features probed on them (DigitOnObjects'
    /// fresh digits).
    pub fn has_held_out(self) -> bool {
        self == DataKind::DigitOnObjects
    }
}

/// Which knob sets the side of the generated images.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageSide {
    /// Synthetic digits at their own fixed size.
    Fixed,
    /// `image_size`: single objects, and pictures from a file.
    ImageSize,
    /// `canvas`: several digits or objects on one canvas.
    Canvas,
}

impl ImageSide {
    /// The knob's key, if a knob sets it.
    pub fn key(self) -> Option<&'static str> {
        match self {
            ImageSide::Fixed => None,
            ImageSide::ImageSize => Some("image_size"),
            ImageSide::Canvas => Some("canvas"),
        }
    }
}

impl ExperimentConfig {
    /// The base images the dataset is drawn on; `None` for kinds that have none.
    pub fn base_images(&self) -> Option<BaseKind> {
        self.data.uses_base().then_some(self.base)
    }

    /// Which knob sets the side of the images this config generates.
    pub fn image_side(&self) -> ImageSide {
        match (self.data, self.base_images()) {
            (DataKind::MultiDigits | DataKind::Scenes, _) => ImageSide::Canvas,
            (DataKind::Digits, _) | (DataKind::RandBit, Some(BaseKind::Digits)) => ImageSide::Fixed,
            _ => ImageSide::ImageSize,
        }
    }

    /// (channels, side) of the images this config generates. A user's files are taken at
    /// `image_size` in colour, the larger of what pictures and IDX/CIFAR files give at our
    /// sizes, so for them this is an upper bound.
    pub fn image_shape(&self) -> (usize, usize) {
        let digits = (1, 28);
        let sized = (3, self.image_size);
        match self.data {
            DataKind::Digits => digits,
            DataKind::Objects | DataKind::ColourShape | DataKind::DigitOnObjects => sized,
            DataKind::RandBit => match self.base {
                BaseKind::Digits => digits,
                BaseKind::Objects => sized,
                BaseKind::File => (3, self.image_size.max(32)),
            },
            DataKind::MultiDigits => (1, self.canvas),
            DataKind::Scenes => (3, self.canvas),
        }
    }

    /// Whether the generated samples carry object masks, which the local-feature view
    /// clusters within.
    pub fn has_masks(&self) -> bool {
        use DataKind::*;
        matches!(self.data, Objects | MultiDigits | ColourShape | Scenes)
            || (self.data == DigitOnObjects && self.base != BaseKind::File)
            || self.base_images() == Some(BaseKind::Objects)
    }
}
