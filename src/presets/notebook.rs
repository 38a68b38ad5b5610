//! Published numbers drawn beside ours on the effect chart: the RandBit notebook's.

use super::Reference;

/// The RandBit notebook's final online-probe accuracy (MNIST, 600 steps of batch 1000), per τ
/// over bits 0, 5, 10, 15, 20.
pub(super) const NOTEBOOK_RANDBIT: &[Reference] = &[
    Reference {
        name: "notebook tau=0.05",
        points: &[
            (0.0, 0.899),
            (5.0, 0.706),
            (10.0, 0.330),
            (15.0, 0.143),
            (20.0, 0.099),
        ],
    },
    Reference {
        name: "notebook tau=0.1",
        points: &[
            (0.0, 0.892),
            (5.0, 0.612),
            (10.0, 0.187),
            (15.0, 0.098),
            (20.0, 0.103),
        ],
    },
    Reference {
        name: "notebook tau=0.2",
        points: &[
            (0.0, 0.900),
            (5.0, 0.330),
            (10.0, 0.104),
            (15.0, 0.100),
            (20.0, 0.099),
        ],
    },
];
