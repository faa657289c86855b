// A model's parameters: named as PyTorch's modules name them ("rnn.weight_ih_l0",
// "encoder.layers.0.self_attn.in_proj_weight", ...), in the order PyTorch lists them, so that state
// dicts move between the two unchanged; and the initialisations of PyTorch's modules.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "sc_array.h"
#include "sc_random.h"

namespace sc {

struct Parameter {
    std::string name;
    std::vector<int64_t> shape;
    Floats value;
    Floats grad;          // d loss / d value, accumulated by the backward passes; empty when frozen
    bool trainable = true;
    // Bumped whenever the values change (Parameters::changed): what is derived from them and kept
    // (Linear's packed weight) compares it to know whether it still holds.
    uint64_t generation = 0;

    int64_t numel() const { return value.size(); }
    float* data() { return value.data(); }
    const float* data() const { return value.data(); }
};

class Parameters {
public:
    // A new parameter of this shape, uninitialised; a trainable one gets a zeroed gradient.
    Parameter& add(const std::string& name, std::vector<int64_t> shape, bool trainable = true);
    Parameter* find(const std::string& name);
    const Parameter* find(const std::string& name) const;
    const std::vector<std::unique_ptr<Parameter>>& all() const { return list_; }
    int64_t count() const;
    void zero_grad();
    // The values changed (an optimizer step, an import, a broadcast): every parameter's generation moves on.
    void changed();

private:
    std::vector<std::unique_ptr<Parameter>> list_;
};

// Initialisations by PyTorch's rules (torch.nn.init and the modules' reset_parameters).
void init_uniform(Parameter& p, Generator& g, double bound);  // U(-bound, bound)
void init_normal(Parameter& p, Generator& g, double mean, double stddev);
void init_constant(Parameter& p, float value);

}  // namespace sc
