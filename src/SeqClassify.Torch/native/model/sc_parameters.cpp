#include "sc_parameters.h"

namespace sc {

Parameter& Parameters::add(const std::string& name, std::vector<int64_t> shape, bool trainable) {
    auto p = std::make_unique<Parameter>();
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    p->name = name;
    p->shape = std::move(shape);
    p->value = Floats(n);
    p->trainable = trainable;
    if (trainable) p->grad = Floats::zeros(n);
    list_.push_back(std::move(p));
    return *list_.back();
}

Parameter* Parameters::find(const std::string& name) {
    for (auto& p : list_) {
        if (p->name == name) return p.get();
    }
    return nullptr;
}

const Parameter* Parameters::find(const std::string& name) const { return const_cast<Parameters*>(this)->find(name); }

int64_t Parameters::count() const {
    int64_t n = 0;
    for (const auto& p : list_) n += p->numel();
    return n;
}

void Parameters::zero_grad() {
    for (auto& p : list_) p->grad.fill(0.0f);
}

void Parameters::changed() {
    for (auto& p : list_) ++p->generation;
}

void init_uniform(Parameter& p, Generator& g, double bound) {
    for (int64_t i = 0; i < p.numel(); ++i) p.value[i] = g.uniform(-bound, bound);
}

void init_normal(Parameter& p, Generator& g, double mean, double stddev) {
    for (int64_t i = 0; i < p.numel(); ++i) p.value[i] = g.normal(mean, stddev);
}

void init_constant(Parameter& p, float value) { p.value.fill(value); }

}  // namespace sc
