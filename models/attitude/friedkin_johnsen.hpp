// friedkin_johnsen: the social-influence step of the attitude model. Each day every user moves
// from their anchor (prior attitude) toward the weighted mean attitude of the users they see:
//
//   x(t+1) = Λ W x(t) + (I − Λ) x(0),     Λ = diag(λ_v),  λ_v in [0, 1]
//
// State: attitudes x_v in [-1, 1] for users 0..num_users-1 (double buffered by the caller) and
// the anchor x(0). Vertices at or above num_users (institutions) neither influence nor are
// influenced here: their content reaches attitudes through the exposure step, not this one.
//
// Influence weights: row v of W is over v's in-neighbours among users (arcs u -> v, u < num_users:
// v sees what u shares), w_vu = weight(u -> v) / sum of v's in-arc weights (graph arc weights, 1
// when the graph has none). A user with no in-neighbour has w_vv = 1, so W is row-stochastic and
// that user keeps a convex mix of their own value and their anchor.
//
// Parameters:
//   susceptibility  λ in [0, 1], default 0.8 for every user; set_susceptibility() gives each user
//                   their own. λ = 1 is DeGroot (1974) averaging, λ = 0 ignores peers.
//                   P33 in wechat-parameters.md: heterogeneous, in [0, 1], no empirical values
//                   for this population, so 0.8 is an assumption, not a measurement.
//
// Sources: Friedkin & Johnsen, J. Math. Sociology 15(3-4) 193-206 (1990); DeGroot, JASA 69 (1974);
// stability: ΛW is Schur stable, so x(t) -> x* = (I − ΛW)^{-1} (I − Λ) x(0) from any start, iff
// every user with λ_v = 1 is influenced, through a chain of in-neighbours, by a user with λ_u < 1
// (Proskurnikov, Tempo, Cao & Friedkin, arXiv:1704.06900 (2017); Proskurnikov & Tempo, Annual
// Reviews in Control 43 (2017), arXiv:1701.06307). Details in docs/attitude-social-step.md.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "sim/graph.hpp"
#include "sim/schema.hpp"

namespace softpower {
namespace detail {
struct Rows;
}

class FriedkinJohnsen {
 public:
  using Matrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

  struct Params {
    /// Default λ for every user. An assumption (P33: no empirical values for this population).
    double susceptibility = 0.8;
  };
  static constexpr const char* kName = "friedkin_johnsen";
  static const Schema<Params>& schema();

  /// Builds W once from the graph's in-arcs among users 0..num_users-1. Throws
  /// std::invalid_argument if num_users exceeds the graph's vertex count, a susceptibility is
  /// outside [0, 1], an arc weight among users is negative or not finite, or W would have more
  /// non-zeros than Eigen's int index holds. A row whose in-arc weights sum to 0 counts as having
  /// no in-neighbour (w_vv = 1).
  ///
  /// On an unweighted graph whose in-arcs list each user source once (every generated, cached
  /// or canonically imported graph), the steps read W straight from the graph's in-arcs, so
  /// `graph` must outlive this object and stay unchanged; other graphs are copied into W.
  FriedkinJohnsen(const SocialGraph& graph, VertexId num_users, Params params);
  FriedkinJohnsen(const SocialGraph&& graph, VertexId num_users, Params params) = delete;

  /// Per-user susceptibility, overriding params.susceptibility: size num_users, each in [0, 1],
  /// std::invalid_argument otherwise (the previous values are kept).
  void set_susceptibility(std::vector<double> lambda);

  /// One synchronous step: out = Λ W x + (I − Λ) anchor, clamped to [-1, 1] (which only removes
  /// rounding, a few ulp, when x and anchor are in [-1, 1]). `out` is resized to num_users and
  /// must not be `x` (it may be `anchor`). Parallel over rows with oneTBB; each row is summed in
  /// a fixed order, so the result is bit-identical for any thread count. Throws
  /// std::invalid_argument on a size mismatch or aliasing.
  void step(const Eigen::VectorXd& x, const Eigen::VectorXd& anchor, Eigen::VectorXd& out) const;

  /// The same step on caller-owned buffers (the attitude model's state vectors, no copies):
  /// x, anchor and out of size num_users; out must not overlap x (it may be anchor). Throws
  /// std::invalid_argument on a size mismatch or overlap.
  void step(std::span<const double> x, std::span<const double> anchor, std::span<double> out) const;

  /// step(x, anchor, out) and, in the same pass over W, out_gap = Λ W gap (the step's linear
  /// part, for a difference of two attitude vectors; not clamped). All spans of size num_users;
  /// outputs must not overlap inputs.
  void step_with_gap(std::span<const double> x, std::span<const double> anchor, std::span<const double> gap,
                     std::span<double> out, std::span<double> out_gap) const;

  /// The step applied to a deviation from an equilibrium instead of an attitude:
  /// out = retention (Λ W g + (I − Λ) g). A user keeps 1 − λ of their own deviation and takes
  /// λ from the users they see, so W spreads a deviation without removing any of it; only
  /// `retention` (in [0, 1]) shrinks it. Linear, not clamped (deviations span [-2, 2]). Spans of
  /// size num_users; out must not overlap g. Bit-identical for any thread count.
  void step_deviation(std::span<const double> g, double retention, std::span<double> out) const;

  /// The fixed point x* = (I − ΛW)^{-1} (I − Λ) anchor, by BiCGSTAB with a Jacobi preconditioner
  /// to relative residual 1e-14, confirmed on the true residual (see the doc for why not LU).
  /// Throws std::invalid_argument if anchor has the wrong size, std::domain_error if I − ΛW is
  /// singular (some user with λ = 1 reaches no user with λ < 1), std::runtime_error if the
  /// solver does not reach the tolerance.
  [[nodiscard]] Eigen::VectorXd fixed_point(const Eigen::VectorXd& anchor) const;

  /// W as an Eigen matrix, built on first use from the compact rows the steps read (the steps
  /// never need it: building it only for fixed_point and analyses keeps 8 bytes per entry out
  /// of every run). Thread-safe. Throws std::invalid_argument if W has more users or entries
  /// than Eigen's int index holds.
  [[nodiscard]] const Matrix& influence_matrix() const;
  [[nodiscard]] const std::vector<double>& susceptibility() const { return lambda_; }
  [[nodiscard]] VertexId num_users() const { return num_users_; }
  [[nodiscard]] const Params& params() const { return params_; }

 private:
  /// True iff every user reaches, along the non-zeros of ΛW, a user with λ < 1.
  [[nodiscard]] bool every_user_reaches_an_anchored_user() const;

  [[nodiscard]] detail::Rows rows() const;
  /// Points W at the graph's own in-arcs if they already are its rows; false otherwise.
  bool borrow_rows(const SocialGraph& graph);
  /// Builds W's rows as a copy (weighted graphs, repeated arcs).
  void copy_rows(const SocialGraph& graph);

  VertexId num_users_;
  Params params_;
  // W by rows: row v's sources (sorted, merged) in [row_offsets_[v], row_ends_[v]) of
  // row_sources_ (row_ends_ empty: up to row_offsets_[v + 1]). An empty row means w_vv = 1.
  // The two spans point either into owned_offsets_ and owned_sources_, or into the graph's in-arcs
  // (institution sources close each in-row there, so row_ends_ cuts them off).
  std::span<const std::uint64_t> row_offsets_;
  std::span<const VertexId> row_sources_;
  std::vector<std::uint64_t> row_ends_;
  std::vector<std::uint64_t> owned_offsets_;
  std::vector<VertexId> owned_sources_;
  // Every row's weights are equal (an unweighted graph without repeated arcs: 1 / row size), so
  // a step sums the neighbours and multiplies once by row_scale_; otherwise row_weights_ holds
  // every entry and row_scale_ is unused.
  bool uniform_rows_ = false;
  std::vector<double> row_scale_;
  std::vector<double> row_weights_;
  std::vector<double> lambda_;
  mutable Matrix w_;  // influence_matrix(), built once on demand
  mutable std::unique_ptr<std::once_flag> w_built_ = std::make_unique<std::once_flag>();
};

/// DeGroot consensus verifier: the left Perron eigenvector π of a row-stochastic, irreducible W
/// (π^T W = π^T, sum π = 1), so that λ = 1 iteration from x0 tends to (π^T x0) 1 when W is also
/// aperiodic. Power iteration on the lazy chain ((I + W) / 2)^T, which has the same π and
/// converges even when W is periodic, until the L1 change of one iteration is below `tolerance`.
/// Serial and slow by design. Throws std::invalid_argument if W is not square or empty,
/// std::runtime_error after max_iterations without convergence.
Eigen::VectorXd degroot_left_eigenvector(const Eigen::SparseMatrix<double, Eigen::RowMajor>& W,
                                         double tolerance = 1e-13, int max_iterations = 1000000);

}  // namespace softpower
