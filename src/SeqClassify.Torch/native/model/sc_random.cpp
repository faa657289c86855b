#include "sc_random.h"

#include <cmath>

namespace sc {

float Generator::normal(double mean, double stddev) {
    // 1 - uniform() is in (0, 1]: the logarithm is finite.
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return static_cast<float>(mean + stddev * radius * std::cos(6.283185307179586 * uniform()));
}

}  // namespace sc
