#include "sc_recurrent_encoder.h"

#include <cmath>
#include <cstring>
#include <string>

#include "sc_cell.h"
#include "sc_gemm.h"
#include "sc_linear.h"

namespace sc {

RecurrentEncoder::RecurrentEncoder(Parameters& parameters, const sc_model_config& config, Generator& g)
    : cell_(config.cell), input_(config.input_size), hidden_(config.hidden_size), layers_(config.num_layers),
      directions_(config.bidirectional ? 2 : 1),
      // PyTorch ignores inter-layer dropout on a single layer (and warns); do the same silently.
      dropout_(config.num_layers > 1 ? config.rnn_dropout : 0.0f) {
    const int64_t G = cell_gates(cell_) * hidden_;
    // nn.RNNBase.reset_parameters: every weight and bias U(-1/sqrt(H), 1/sqrt(H)).
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
    for (int64_t layer = 0; layer < layers_; ++layer) {
        const int64_t in = layer == 0 ? input_ : hidden_ * directions_;
        for (int64_t d = 0; d < directions_; ++d) {
            const std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
            Direction dir{};
            dir.w_ih = &parameters.add("rnn.weight_ih" + suffix, {G, in});
            dir.w_hh = &parameters.add("rnn.weight_hh" + suffix, {G, hidden_});
            dir.b_ih = &parameters.add("rnn.bias_ih" + suffix, {G});
            dir.b_hh = &parameters.add("rnn.bias_hh" + suffix, {G});
            for (Parameter* p : {dir.w_ih, dir.w_hh, dir.b_ih, dir.b_hh}) init_uniform(*p, g, bound);
            directions_list_.push_back(dir);
        }
    }
}

DirectionWeights RecurrentEncoder::Direction::weights() const {
    return {w_ih->data(), w_hh->data(), b_ih->data(), b_hh->data(), w_ih->shape[1], w_hh->shape[1]};
}

DirectionGradients RecurrentEncoder::Direction::gradients() const {
    return {w_ih->grad.data(), w_hh->grad.data(), b_ih->grad.data(), b_hh->grad.data()};
}

namespace {
// Per-direction [N, H] outputs side by side into [N, directions * H].
Floats concatenate(const std::vector<Floats*>& parts, int64_t N, int64_t H) {
    if (parts.size() == 1) return Floats::copy_of(parts[0]->data(), N * H);
    const int64_t D = H * static_cast<int64_t>(parts.size());
    Floats out(N * D);
    for (int64_t n = 0; n < N; ++n) {
        for (size_t d = 0; d < parts.size(); ++d) std::memcpy(out.data() + n * D + static_cast<int64_t>(d) * H, parts[d]->data() + n * H, sizeof(float) * H);
    }
    return out;
}
}  // namespace

RecurrentEncoder::Output RecurrentEncoder::forward(const float* x, const Packing& packing, Cache* cache, Generator* g, bool outputs) const {
    return run(x, nullptr, nullptr, packing, cache, g, outputs);
}

RecurrentEncoder::Output RecurrentEncoder::forward_ids(const int64_t* ids, const Packing& packing, const Parameter& embedding, bool outputs) const {
    return run(nullptr, ids, &embedding, packing, nullptr, nullptr, outputs);
}

RecurrentEncoder::Output RecurrentEncoder::run(const float* x, const int64_t* ids, const Parameter* embedding, const Packing& packing,
                                               Cache* cache, Generator* g, bool outputs) const {
    const int64_t N = packing.packed_rows, H = hidden_;
    Output out;
    if (cache) cache->states.resize(static_cast<size_t>(layers_ * directions_));
    Floats previous;  // the previous layer's outputs [N, D]
    const float* input = x;
    for (int64_t layer = 0; layer < layers_; ++layer) {
        if (layer > 0) {
            // The previous layer's outputs, dropped out, are this layer's input.
            const DropoutDraw draw = cache ? DropoutDraw::next(dropout_, *g) : DropoutDraw{};
            draw.apply(previous.data(), previous.size());
            if (cache) {
                cache->inputs.push_back(std::move(previous));
                cache->dropouts.push_back(draw);
                input = cache->inputs.back().data();
            } else {
                input = previous.data();
            }
        }
        std::vector<DirectionState> local(cache ? 0 : static_cast<size_t>(directions_));
        std::vector<Floats*> ys;
        const bool keep_outputs = outputs || layer < layers_ - 1;
        for (int64_t d = 0; d < directions_; ++d) {
            DirectionState& state = cache ? cache->states[static_cast<size_t>(layer * directions_ + d)] : local[static_cast<size_t>(d)];
            if (layer == 0 && ids) {
                rnn_direction_forward(cell_, nullptr, packing, direction(0, d).weights(), d == 1, false, state, table(d, *embedding), ids,
                                      keep_outputs);
            } else {
                rnn_direction_forward(cell_, input, packing, direction(layer, d).weights(), d == 1, cache != nullptr, state, nullptr, nullptr,
                                      keep_outputs);
            }
            ys.push_back(&state.y);
            if (layer == layers_ - 1) out.last.push_back(Floats::copy_of(state.h.data(), state.h.size()));
        }
        if (!keep_outputs) break;
        // Replaces the previous layer's outputs only now: `input` may point into them. One direction's
        // outputs are the layer's (moved, unless the backward pass keeps them).
        Floats next = directions_ == 1 && !cache ? std::move(*ys[0]) : concatenate(ys, N, H);
        previous = std::move(next);
    }
    out.outputs = std::move(previous);
    return out;
}

void RecurrentEncoder::backward(const float* x, const Packing& packing, const Cache& cache, float* d_outputs,
                                const std::vector<Floats>& d_last, float* dx) const {
    const int64_t N = packing.packed_rows, H = hidden_, D = H * directions_;
    float* d_out = d_outputs;  // [N, D], the gradient reaching the current layer's outputs
    Floats d_previous, dy_part(directions_ > 1 ? N * H : 0);
    for (int64_t layer = layers_; layer-- > 0;) {
        const float* layer_input = layer == 0 ? x : cache.inputs[static_cast<size_t>(layer - 1)].data();
        const int64_t I = layer == 0 ? input_ : D;
        Floats d_input = layer > 0 ? Floats(N * I) : Floats();
        float* target = layer > 0 ? d_input.data() : dx;
        for (int64_t d = 0; d < directions_; ++d) {
            const float* dy = d_out;
            if (directions_ > 1) {
                for (int64_t n = 0; n < N; ++n) std::memcpy(dy_part.data() + n * H, d_out + n * D + d * H, sizeof(float) * H);
                dy = dy_part.data();
            }
            const float* dh_n = layer == layers_ - 1 && !d_last.empty() ? d_last[static_cast<size_t>(d)].data() : nullptr;
            const Direction& dir = direction(layer, d);
            rnn_direction_backward(cell_, layer_input, packing, dir.weights(), d == 1, cache.states[static_cast<size_t>(layer * directions_ + d)],
                                   dy, dh_n, dir.gradients(), target, /*accumulate_dx=*/d > 0);
        }
        if (layer > 0) {
            cache.dropouts[static_cast<size_t>(layer - 1)].apply(d_input.data(), d_input.size());
            d_previous = std::move(d_input);
            d_out = d_previous.data();
        }
    }
}

const float* RecurrentEncoder::table(int64_t d, const Parameter& embedding) const {
    std::lock_guard<std::mutex> lock(tables_lock_);
    Floats& entry = tables_[static_cast<size_t>(d)];
    if (entry.empty()) {
        const Direction& dir = direction(0, d);
        const int64_t V = embedding.shape[0], E = embedding.shape[1], G = dir.w_ih->shape[0];
        Floats table(V * G);  // [V, G*H] = embedding · W_ih^T + b_ih
        for (int64_t v = 0; v < V; ++v) std::memcpy(table.data() + v * G, dir.b_ih->data(), sizeof(float) * G);
        PackedMatrix::pack_parallel({dir.w_ih->data(), 1, E}, E, G).multiply_parallel(V, {embedding.data(), E, 1}, table.data(), G, true);
        entry = std::move(table);
    }
    return entry.data();
}

void RecurrentEncoder::drop_tables() {
    std::lock_guard<std::mutex> lock(tables_lock_);
    for (auto& entry : tables_) entry = Floats();
}

}  // namespace sc
