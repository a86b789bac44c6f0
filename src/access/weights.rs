//! Distance-decay weights as functions of a pair's key (see [`super::metric`]), so the hot
//! loops place a pair in its zone by comparing keys. Step zones compare against key limits
//! equivalent to the inclusive distance bounds; the Gaussian converts the key to a distance.

use super::metric::Scale;
use super::settings::{gaussian_weight, Catchment, Decay};

/// W as a function of a pair's key.
pub(crate) trait Kernel: Sync {
    fn weight(&self, key: f64) -> f64;
}

/// Step weights: the first zone whose key limit the key does not exceed.
pub(crate) struct StepKernel {
    limits: Vec<f64>,
    weights: Vec<f64>,
}

impl Kernel for StepKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        // Innermost zone last, as selects rather than branches: zones are unpredictable.
        let mut weight = 0.0;
        for (limit, zone_weight) in self.limits.iter().zip(&self.weights).rev() {
            weight = if key <= *limit { *zone_weight } else { weight };
        }
        weight
    }
}

/// Up to [`FEW_ZONES`] step zones in a fixed-size array, so the zone lookup unrolls into
/// selects. Unused zones have limit -1 (no key is below it).
pub(crate) struct FewZonesKernel {
    limits: [f64; FEW_ZONES],
    weights: [f64; FEW_ZONES],
}

pub(crate) const FEW_ZONES: usize = 4;

impl Kernel for FewZonesKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        let mut weight = 0.0;
        for zone in (0..FEW_ZONES).rev() {
            weight = if key <= self.limits[zone] {
                self.weights[zone]
            } else {
                weight
            };
        }
        weight
    }
}

/// Dai's Gaussian with the catchment radius as bandwidth.
pub(crate) struct GaussianKernel {
    scale: Scale,
    radius: f64,
    /// Key limit of the radius: beyond it W = 0, without the cost of a distance.
    reach_key: f64,
}

impl Kernel for GaussianKernel {
    #[inline]
    fn weight(&self, key: f64) -> f64 {
        if key > self.reach_key {
            return 0.0;
        }
        gaussian_weight(self.scale.distance(key), self.radius)
    }
}

/// The kernel a catchment asks for.
pub(crate) enum WeightKernel {
    FewZones(FewZonesKernel),
    Step(StepKernel),
    Gaussian(GaussianKernel),
}

impl WeightKernel {
    pub(crate) fn new(catchment: &Catchment, scale: Scale) -> Self {
        match &catchment.decay {
            Decay::Step { zones } if zones.len() <= FEW_ZONES => {
                let mut kernel = FewZonesKernel {
                    limits: [-1.0; FEW_ZONES],
                    weights: [0.0; FEW_ZONES],
                };
                for (k, zone) in zones.iter().enumerate() {
                    kernel.limits[k] = scale.key_limit(zone.upper);
                    kernel.weights[k] = zone.weight;
                }
                WeightKernel::FewZones(kernel)
            }
            Decay::Step { zones } => WeightKernel::Step(StepKernel {
                limits: zones
                    .iter()
                    .map(|zone| scale.key_limit(zone.upper))
                    .collect(),
                weights: zones.iter().map(|zone| zone.weight).collect(),
            }),
            Decay::Gaussian => WeightKernel::Gaussian(GaussianKernel {
                scale,
                radius: catchment.radius,
                reach_key: scale.key_limit(catchment.radius),
            }),
        }
    }
}
