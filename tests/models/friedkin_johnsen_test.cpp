// friedkin_johnsen: exact weights on hand-made graphs, closed-form and dense-solve fixed points,
// the DeGroot limit against the left Perron vector, bounds, thread-count determinism, and input
// validation. Tolerances are rounding bounds or the convergence target, never tuned.
#include "models/attitude/friedkin_johnsen.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/graph/strong_components.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <queue>
#include <stdexcept>

#include "sim/error.hpp"
#include "sim/generators.hpp"
#include "sim/graph_source.hpp"
#include "sim/rng.hpp"

namespace softpower {
namespace {

using Matrix = FriedkinJohnsen::Matrix;

// A stream of the test's own: no model draws with this purpose.
constexpr auto kTestDraw = static_cast<Purpose>(900);

double uniform_in(const CounterRng& rng, double lo, double hi, std::uint64_t context,
                  std::uint64_t entity) {
  return lo + (hi - lo) * rng.uniform(kTestDraw, context, entity);
}

Eigen::VectorXd random_vector(Eigen::Index n, double lo, double hi, std::uint64_t seed,
                              std::uint64_t context) {
  const CounterRng rng(seed, 0);
  Eigen::VectorXd x(n);
  for (Eigen::Index v = 0; v < n; ++v) x[v] = uniform_in(rng, lo, hi, context, v);
  return x;
}

std::vector<double> random_lambda(VertexId n, double lo, double hi, std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  std::vector<double> lambda(n);
  for (VertexId v = 0; v < n; ++v) lambda[v] = uniform_in(rng, lo, hi, 77, v);
  return lambda;
}

double max_abs_diff(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff();
}

bool bit_identical(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

/// Iterates step() from x0 with anchor until one step changes no user by more than 1e-15, or
/// max_steps. Returns the last iterate.
Eigen::VectorXd iterate(const FriedkinJohnsen& fj, const Eigen::VectorXd& x0,
                        const Eigen::VectorXd& anchor, int max_steps, int* steps_taken = nullptr) {
  Eigen::VectorXd x = x0, next;
  int t = 0;
  for (; t < max_steps; ++t) {
    fj.step(x, anchor, next);
    const double change = max_abs_diff(x, next);
    x.swap(next);
    if (change < 1e-15) break;
  }
  if (steps_taken) *steps_taken = t;
  return x;
}

/// The dense fixed point (I − ΛW)^{-1} (I − Λ) anchor by LU with partial pivoting.
Eigen::VectorXd dense_fixed_point(const Matrix& w, const std::vector<double>& lambda,
                                  const Eigen::VectorXd& anchor) {
  const auto n = w.rows();
  const Eigen::Map<const Eigen::VectorXd> l(lambda.data(), n);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(n, n) - l.asDiagonal() * Eigen::MatrixXd(w);
  const Eigen::VectorXd b = (1.0 - l.array()) * anchor.array();
  return a.partialPivLu().solve(b);
}

/// Serial reference of one step in long double, without clamping.
Eigen::VectorXd reference_step(const Matrix& w, const std::vector<double>& lambda,
                               const Eigen::VectorXd& x, const Eigen::VectorXd& anchor) {
  Eigen::VectorXd out(w.rows());
  for (Eigen::Index v = 0; v < w.rows(); ++v) {
    long double social = 0;
    for (Matrix::InnerIterator it(w, v); it; ++it) {
      social += static_cast<long double>(it.value()) * x[it.col()];
    }
    const long double l = lambda[static_cast<std::size_t>(v)];
    out[v] = static_cast<double>(l * social + (1 - l) * anchor[v]);
  }
  return out;
}

bool strongly_connected(const SocialGraph& g) {
  std::vector<VertexId> component(g.num_vertices());
  const auto count = boost::strong_components(
      g.csr(), boost::make_iterator_property_map(component.begin(),
                                                 boost::get(boost::vertex_index, g.csr())));
  return count == 1;
}

/// An undirected graph (every arc has its reverse) has an odd cycle iff BFS 2-colouring fails.
bool has_odd_cycle(const SocialGraph& g) {
  const CsrView out = g.out_view();
  std::vector<int> colour(g.num_vertices(), -1);
  for (VertexId s = 0; s < g.num_vertices(); ++s) {
    if (colour[s] >= 0) continue;
    colour[s] = 0;
    std::queue<VertexId> queue;
    queue.push(s);
    while (!queue.empty()) {
      const VertexId u = queue.front();
      queue.pop();
      for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
        const VertexId v = out.targets[a];
        if (colour[v] < 0) {
          colour[v] = 1 - colour[u];
          queue.push(v);
        } else if (colour[v] == colour[u]) {
          return true;
        }
      }
    }
  }
  return false;
}

// Users 0..4 and an institution 5. Arc u -> v with weight c: v sees u and weighs them c.
// Row 1: users 0 (1) and 2 (3), plus the institution (10, ignored). Row 0: user 1 (2), plus the
// institution (9). Row 2: users 0, 1, 3 (1, 1, 2). Row 3: user 4 (0.5). Row 4: the institution
// (7) and nobody else, so user 4 has no social in-neighbour.
SocialGraph small_weighted_graph() {
  return SocialGraph::from_arcs(
      6, {{0, 1}, {2, 1}, {5, 1}, {1, 0}, {0, 2}, {1, 2}, {3, 2}, {4, 3}, {5, 4}, {5, 0}},
      {1, 3, 10, 2, 1, 1, 2, 0.5f, 7, 9});
}

TEST(FriedkinJohnsenWeights, ExactEntriesOnSmallWeightedGraph) {
  const SocialGraph g = small_weighted_graph();
  const FriedkinJohnsen fj(g, 5, {});
  const Eigen::MatrixXd w(fj.influence_matrix());
  ASSERT_EQ(w.rows(), 5);
  ASSERT_EQ(w.cols(), 5);
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(5, 5);
  expected(0, 1) = 1.0;
  expected(1, 0) = 0.25;
  expected(1, 2) = 0.75;
  expected(2, 0) = 0.25;
  expected(2, 1) = 0.25;
  expected(2, 3) = 0.5;
  expected(3, 4) = 1.0;
  expected(4, 4) = 1.0;  // only the institution reaches user 4: no social influence
  EXPECT_EQ(w, expected) << w;
  EXPECT_EQ(fj.influence_matrix().nonZeros(), 8);
  for (Eigen::Index v = 0; v < 5; ++v) EXPECT_EQ(w.row(v).sum(), 1.0) << "row " << v;
}

TEST(FriedkinJohnsenWeights, UnweightedGraphGivesUniformRows) {
  const SocialGraph g = SocialGraph::from_arcs(4, {{1, 0}, {2, 0}, {3, 0}, {0, 1}, {3, 1}});
  const Eigen::MatrixXd w(FriedkinJohnsen(g, 4, {}).influence_matrix());
  Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(4, 4);
  expected(0, 1) = expected(0, 2) = expected(0, 3) = 1.0 / 3.0;
  expected(1, 0) = expected(1, 3) = 0.5;
  expected(2, 2) = expected(3, 3) = 1.0;
  EXPECT_EQ(w, expected) << w;
}

TEST(FriedkinJohnsenWeights, DuplicateArcsAddAndZeroWeightsDrop) {
  // from_csr keeps arcs as given: 0 -> 1 twice (1 + 1), 2 -> 1 (2), 3 -> 1 (0).
  const SocialGraph g =
      SocialGraph::from_csr({0, 2, 2, 3, 4}, {1, 1, 1, 1}, {1.0f, 1.0f, 2.0f, 0.0f});
  const FriedkinJohnsen fj(g, 4, {});
  const Matrix& w = fj.influence_matrix();
  EXPECT_EQ(w.nonZeros(), 5);  // rows 0, 2, 3 keep themselves; row 1 has 0 and 2
  EXPECT_EQ(w.coeff(1, 0), 0.5);
  EXPECT_EQ(w.coeff(1, 2), 0.5);
  EXPECT_EQ(w.coeff(1, 3), 0.0);
  EXPECT_EQ(w.coeff(0, 0), 1.0);
}

TEST(FriedkinJohnsenWeights, RepeatedArcsOfAnUnweightedGraphCountTwiceInTheStep) {
  // No weights, but 0 -> 2 twice (from_csr keeps it): row 2 is (2/3, 1/3), not uniform, and the
  // step must use those entries (a uniform shortcut that scales the row's sum by its first
  // entry would give 2/3 here instead of 1/3).
  const SocialGraph g = SocialGraph::from_csr({0, 2, 3, 3}, {2, 2, 2});
  const FriedkinJohnsen fj(g, 3, {.susceptibility = 1.0});
  EXPECT_EQ(fj.influence_matrix().coeff(2, 0), 2.0 / 3.0);
  EXPECT_EQ(fj.influence_matrix().coeff(2, 1), 1.0 / 3.0);
  const std::vector<double> x{0.0, 1.0, 0.5};
  std::vector<double> out(3), next_gap(3);
  fj.step(x, x, out);
  EXPECT_DOUBLE_EQ(out[2], 1.0 / 3.0);
  fj.step_deviation(x, 1.0, next_gap);
  EXPECT_DOUBLE_EQ(next_gap[2], 1.0 / 3.0);
  EXPECT_EQ(out[1], 1.0);  // no in-neighbour: keeps itself
}

TEST(FriedkinJohnsenWeights, RowStochasticOnWeightedRandomGraph) {
  const SocialGraph er = erdos_renyi(3000, 6.0, true, 5);
  std::vector<float> weights(er.num_arcs());
  const CounterRng rng(3, 0);
  for (ArcId a = 0; a < weights.size(); ++a) {
    weights[a] = static_cast<float>(uniform_in(rng, 0.01, 5.0, 1, a));
  }
  const CsrView out = er.out_view();
  const SocialGraph g = SocialGraph::from_csr({out.offsets.begin(), out.offsets.end()},
                                              {out.targets.begin(), out.targets.end()}, weights);
  const FriedkinJohnsen fj(g, g.num_vertices(), {});
  const Matrix& w = fj.influence_matrix();
  const CsrView in = g.in_view();
  for (Eigen::Index v = 0; v < w.rows(); ++v) {
    double sum = 0;
    Eigen::Index entries = 0;
    for (Matrix::InnerIterator it(w, v); it; ++it, ++entries) {
      EXPECT_GT(it.value(), 0.0);
      sum += it.value();
    }
    EXPECT_NEAR(sum, 1.0,
                8 * std::numeric_limits<double>::epsilon() * static_cast<double>(entries));
    const auto in_degree = static_cast<Eigen::Index>(in.out_degree(static_cast<VertexId>(v)));
    EXPECT_EQ(entries, std::max<Eigen::Index>(in_degree, 1));
  }
}

TEST(FriedkinJohnsenWeights, InstitutionsAreIgnored) {
  const VertexId n = 2000;
  const SocialGraph users = erdos_renyi(n, 8.0, false, 21);
  SocialGraph with_institutions = users;
  add_institution(with_institutions, 300, 1);
  add_institution(with_institutions, 300, 2);
  ASSERT_EQ(with_institutions.num_vertices(), n + 2);
  const FriedkinJohnsen plain(users, n, {});
  const FriedkinJohnsen extended(with_institutions, n, {});
  EXPECT_EQ(Eigen::MatrixXd(plain.influence_matrix()),
            Eigen::MatrixXd(extended.influence_matrix()));
}

// An unweighted graph's W is read from its in-arcs (cut before the institutions), a weighted
// one's is copied: with every weight 1 the two must be the same matrix and give the same bits.
TEST(FriedkinJohnsenWeights, RowsReadFromTheGraphEqualCopiedRows) {
  const VertexId n = 3000;
  SocialGraph unweighted = erdos_renyi(n, 6.0, true, 5);
  add_institution(unweighted, 400, 1);
  add_institution(unweighted, 50, 2);
  std::vector<ArcInput> arcs;
  const CsrView out = unweighted.out_view();
  for (VertexId u = 0; u < out.num_vertices(); ++u) {
    for (ArcId k = out.offsets[u]; k < out.offsets[u + 1]; ++k) arcs.push_back({u, out.targets[k]});
  }
  const SocialGraph weighted =
      SocialGraph::from_arcs(unweighted.num_vertices(), arcs, std::vector<float>(arcs.size(), 1.0f));
  std::size_t without_user_in_arc = 0;
  const CsrView in = unweighted.in_view();
  for (VertexId v = 0; v < n; ++v) without_user_in_arc += in.offsets[v] == in.offsets[v + 1] || in.targets[in.offsets[v]] >= n;
  ASSERT_GT(without_user_in_arc, 0U);  // rows with w_vv = 1, some of them followers only

  const FriedkinJohnsen borrowed(unweighted, n, {});
  const FriedkinJohnsen copied(weighted, n, {});
  EXPECT_EQ(Eigen::MatrixXd(borrowed.influence_matrix()), Eigen::MatrixXd(copied.influence_matrix()));
  std::vector<double> g(n), from_borrowed(n), from_copied(n);
  for (VertexId v = 0; v < n; ++v) g[v] = std::sin(0.37 * v);
  borrowed.step_deviation(g, 0.9, from_borrowed);
  copied.step_deviation(g, 0.9, from_copied);
  EXPECT_EQ(from_borrowed, from_copied);
}

TEST(FriedkinJohnsenStep, IsolatedUserKeepsOwnValue) {
  const SocialGraph g = small_weighted_graph();
  FriedkinJohnsen fj(g, 5, {.susceptibility = 1.0});
  const Eigen::VectorXd x{{0.1, 0.2, 0.3, 0.4, -0.7}};
  const Eigen::VectorXd anchor{{0.5, 0.5, 0.5, 0.5, 0.5}};
  Eigen::VectorXd out;
  fj.step(x, anchor, out);
  EXPECT_EQ(out[4], -0.7);
  EXPECT_EQ(out[3], -0.7);  // user 3 sees only user 4
  EXPECT_EQ(out[0], 0.2);
  fj.set_susceptibility({0.5, 0.5, 0.5, 0.5, 0.5});
  fj.step(x, anchor, out);
  EXPECT_EQ(out[4], 0.5 * -0.7 + 0.5 * 0.5);
}

// Users 0 <-> 1 influence each other (λ = 1/2), 1 -> 2 -> 5 is a chain (λ2 = 1/2, λ5 = 1: a pure
// follower), user 3 weighs 2 and 4 as 1 : 3 (λ3 = 0.8), user 4 sees nobody (λ4 = 1/4).
// By hand: x0 = (2 a0 + a1) / 3, x1 = (a0 + 2 a1) / 3, x2 = (x1 + a2) / 2, x4 = a4,
// x3 = 0.8 (x2 / 4 + 3 x4 / 4) + 0.2 a3, x5 = x2.
struct HandCase {
  SocialGraph graph = SocialGraph::from_arcs(6, {{0, 1}, {1, 0}, {1, 2}, {2, 3}, {4, 3}, {2, 5}},
                                             {1, 1, 1, 1, 3, 1});
  std::vector<double> lambda{0.5, 0.5, 0.5, 0.8, 0.25, 1.0};
  Eigen::VectorXd anchor{{0.9, -0.6, 0.3, -1.0, 0.4, 0.7}};

  [[nodiscard]] Eigen::VectorXd closed_form() const {
    const auto& a = anchor;
    Eigen::VectorXd x(6);
    x[0] = (2 * a[0] + a[1]) / 3;
    x[1] = (a[0] + 2 * a[1]) / 3;
    x[2] = (x[1] + a[2]) / 2;
    x[4] = a[4];
    x[3] = 0.8 * (x[2] / 4 + 3 * x[4] / 4) + 0.2 * a[3];
    x[5] = x[2];
    return x;
  }
};

TEST(FriedkinJohnsenFixedPoint, HandCaseMatchesClosedFormAndDenseSolve) {
  const HandCase c;
  FriedkinJohnsen fj(c.graph, 6, {});
  fj.set_susceptibility(c.lambda);
  const Eigen::VectorXd expected = c.closed_form();
  const Eigen::VectorXd fixed = fj.fixed_point(c.anchor);
  EXPECT_LT(max_abs_diff(fixed, expected), 1e-13) << fixed.transpose();
  EXPECT_LT(max_abs_diff(dense_fixed_point(fj.influence_matrix(), c.lambda, c.anchor), expected),
            1e-14);
  int steps = 0;
  const Eigen::VectorXd iterated = iterate(fj, c.anchor, c.anchor, 10000, &steps);
  EXPECT_LT(steps, 10000);
  EXPECT_LT(max_abs_diff(iterated, fixed), 1e-9);
  EXPECT_LT(max_abs_diff(iterated, expected), 1e-13);
  // The fixed point does not depend on where the iteration starts.
  const Eigen::VectorXd from_zero = iterate(fj, Eigen::VectorXd::Zero(6), c.anchor, 10000);
  EXPECT_LT(max_abs_diff(from_zero, expected), 1e-13);
}

TEST(FriedkinJohnsenFixedPoint, RandomGraphIterationMatchesSolver) {
  const VertexId n = 2000;
  const SocialGraph g = erdos_renyi(n, 8.0, true, 42);
  FriedkinJohnsen fj(g, n, {});
  const std::vector<double> lambda = random_lambda(n, 0.3, 0.95, 9);
  fj.set_susceptibility(lambda);
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 9, 1);
  const Eigen::VectorXd fixed = fj.fixed_point(anchor);
  // λ <= 0.95 contracts the error by 0.95 a step at worst: 1e-13 within 600 steps.
  int steps = 0;
  const Eigen::VectorXd iterated = iterate(fj, anchor, anchor, 2000, &steps);
  EXPECT_LT(steps, 2000);
  EXPECT_LT(max_abs_diff(iterated, fixed), 1e-9);
}

TEST(FriedkinJohnsenFixedPoint, WeightedGraphWithInstitutionAndStubbornFollowers) {
  // λ = 1 for a third of the users: still invertible, since every user sees someone who is
  // anchored or is anchored (checked by iterating, not assumed).
  const VertexId n = 500;
  SocialGraph g = erdos_renyi(n, 10.0, false, 8);
  add_institution(g, 100, 3);
  FriedkinJohnsen fj(g, n, {});
  std::vector<double> lambda = random_lambda(n, 0.2, 0.9, 4);
  for (VertexId v = 0; v < n; v += 3) lambda[v] = 1.0;
  fj.set_susceptibility(lambda);
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 4, 2);
  const Eigen::VectorXd fixed = fj.fixed_point(anchor);
  const Eigen::VectorXd iterated = iterate(fj, Eigen::VectorXd::Zero(n), anchor, 20000);
  EXPECT_LT(max_abs_diff(iterated, fixed), 1e-9);
  EXPECT_LT(max_abs_diff(dense_fixed_point(fj.influence_matrix(), lambda, anchor), fixed), 1e-9);
}

TEST(FriedkinJohnsenDeGroot, UndirectedGraphStationaryIsDegreeShare) {
  const VertexId n = 2000;
  const SocialGraph g = erdos_renyi(n, 12.0, false, 3);
  ASSERT_TRUE(strongly_connected(g)) << "pick another seed";
  ASSERT_TRUE(has_odd_cycle(g)) << "bipartite: periodic";
  const FriedkinJohnsen fj(g, n, {.susceptibility = 1.0});
  const Eigen::VectorXd pi = degroot_left_eigenvector(fj.influence_matrix(), 1e-15);
  const CsrView out = g.out_view();
  const double total = static_cast<double>(g.num_arcs());
  Eigen::VectorXd degree_share(n);
  for (VertexId v = 0; v < n; ++v) degree_share[v] = static_cast<double>(out.out_degree(v)) / total;
  EXPECT_LT(max_abs_diff(pi, degree_share), 1e-14);

  const Eigen::VectorXd x0 = random_vector(n, -1.0, 1.0, 3, 5);
  const Eigen::VectorXd unused_anchor = random_vector(n, -1.0, 1.0, 3, 6);
  int steps = 0;
  const Eigen::VectorXd limit = iterate(fj, x0, unused_anchor, 5000, &steps);
  EXPECT_LT(steps, 5000);
  const double consensus = pi.dot(x0);
  EXPECT_LT((limit.array() - consensus).abs().maxCoeff(), 1e-9) << "consensus " << consensus;
}

TEST(FriedkinJohnsenDeGroot, DirectedWeightedGraphMatchesDenseLeftEigenvector) {
  // A directed 5-cycle with two chords: strongly connected, cycle lengths 5 and 3 and 4, so
  // aperiodic, and W is not doubly stochastic, so π is not uniform.
  const SocialGraph g = SocialGraph::from_arcs(
      5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}, {2, 0}, {3, 0}}, {1, 2, 1, 3, 1, 4, 0.5f});
  ASSERT_TRUE(strongly_connected(g));
  const FriedkinJohnsen fj(g, 5, {.susceptibility = 1.0});
  const Eigen::MatrixXd w(fj.influence_matrix());
  // π^T (I − W) = 0 with sum π = 1: replace one equation by the normalization.
  Eigen::MatrixXd system = (Eigen::MatrixXd::Identity(5, 5) - w).transpose();
  system.row(4).setOnes();
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(5);
  rhs[4] = 1.0;
  const Eigen::VectorXd dense_pi = system.fullPivLu().solve(rhs);
  // By hand: π0 = π1 = π2, π4 = π0 / 5.5, π3 = π4 + 0.5 π0 / 5.5, so π = (11, 11, 11, 3, 2) / 38.
  const Eigen::VectorXd by_hand = Eigen::VectorXd{{11, 11, 11, 3, 2}} / 38.0;
  EXPECT_LT(max_abs_diff(dense_pi, by_hand), 1e-15);
  const double tolerance = 1e-15;
  const Eigen::VectorXd pi = degroot_left_eigenvector(fj.influence_matrix(), tolerance);
  EXPECT_LT(max_abs_diff(pi, by_hand), 1e-13) << pi.transpose();
  // One lazy step changes π by (W^T π − π) / 2, so at the stop the residual is below 2 tolerance.
  EXPECT_LT((w.transpose() * pi - pi).lpNorm<1>(), 2 * tolerance + 1e-16);

  const Eigen::VectorXd x0{{1.0, -1.0, 0.25, 0.5, -0.75}};
  const Eigen::VectorXd limit = iterate(fj, x0, x0, 100000);
  EXPECT_LT((limit.array() - pi.dot(x0)).abs().maxCoeff(), 1e-9);
}

TEST(FriedkinJohnsenDeGroot, VerifierValidatesInput) {
  Matrix rect(2, 3);
  EXPECT_THROW(degroot_left_eigenvector(rect), std::invalid_argument);
  EXPECT_THROW(degroot_left_eigenvector(Matrix(0, 0)), std::invalid_argument);
  Matrix half(2, 2);
  half.insert(0, 1) = 0.5;
  half.insert(1, 0) = 1.0;
  EXPECT_THROW(degroot_left_eigenvector(half), std::invalid_argument);
  // The path 0 - 1 - 2: π = (1/4, 1/2, 1/4) is far from the uniform start, so one iteration
  // cannot converge; the path is bipartite (periodic) and the lazy chain still finds π.
  const SocialGraph g = SocialGraph::from_arcs(3, {{0, 1}, {1, 0}, {1, 2}, {2, 1}});
  const FriedkinJohnsen fj(g, 3, {});
  EXPECT_THROW(degroot_left_eigenvector(fj.influence_matrix(), 1e-13, 1), std::runtime_error);
  const Eigen::VectorXd pi = degroot_left_eigenvector(fj.influence_matrix());
  EXPECT_LT(max_abs_diff(pi, Eigen::VectorXd{{0.25, 0.5, 0.25}}), 1e-14);
}

TEST(FriedkinJohnsenStep, ZeroSusceptibilityReturnsAnchor) {
  const VertexId n = 1000;
  const SocialGraph g = erdos_renyi(n, 8.0, true, 11);
  const FriedkinJohnsen fj(g, n, {.susceptibility = 0.0});
  const Eigen::VectorXd x = random_vector(n, -1.0, 1.0, 11, 1);
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 11, 2);
  Eigen::VectorXd out;
  fj.step(x, anchor, out);
  EXPECT_TRUE(bit_identical(out, anchor));
  EXPECT_TRUE(bit_identical(fj.fixed_point(anchor), anchor));
}

TEST(FriedkinJohnsenStep, StaysInBoundsAndMatchesSerialReference) {
  const VertexId n = 5000;
  const SocialGraph er = erdos_renyi(n, 7.0, true, 13);
  std::vector<float> weights(er.num_arcs());
  const CounterRng rng(13, 0);
  for (ArcId a = 0; a < weights.size(); ++a) {
    weights[a] = static_cast<float>(uniform_in(rng, 0.1, 3.0, 2, a));
  }
  const CsrView out_view = er.out_view();
  const SocialGraph g =
      SocialGraph::from_csr({out_view.offsets.begin(), out_view.offsets.end()},
                            {out_view.targets.begin(), out_view.targets.end()}, weights);
  FriedkinJohnsen fj(g, n, {});
  const std::vector<double> lambda = random_lambda(n, 0.0, 1.0, 13);
  fj.set_susceptibility(lambda);
  Eigen::VectorXd out;
  for (std::uint64_t trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd x = random_vector(n, -1.0, 1.0, 100 + trial, 1);
    Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 100 + trial, 2);
    // Push some users to the boundary, where rounding could step outside.
    for (VertexId v = 0; v < n; v += 7) x[v] = (v % 2 == 0) ? 1.0 : -1.0;
    for (VertexId v = 0; v < n; v += 11) anchor[v] = (v % 2 == 0) ? 1.0 : -1.0;
    fj.step(x, anchor, out);
    EXPECT_LE(out.maxCoeff(), 1.0);
    EXPECT_GE(out.minCoeff(), -1.0);
    EXPECT_LT(max_abs_diff(out, reference_step(fj.influence_matrix(), lambda, x, anchor)), 1e-15);
  }
  // Everyone at +1 (or -1): the convex combination is exactly at the boundary, not beyond.
  for (double s : {1.0, -1.0}) {
    const Eigen::VectorXd all = Eigen::VectorXd::Constant(n, s);
    fj.step(all, all, out);
    EXPECT_LE(out.cwiseAbs().maxCoeff(), 1.0);
    EXPECT_LT((out.array() - s).abs().maxCoeff(), 1e-15);
  }
}

// The rows are summed with software prefetches only when the gathered vectors are large (4 MiB
// or more): at 300,000 users one vector (2.4 MB, step) is summed without them and two
// (4.8 MB, step_with_gap) with them. Both must give the reference step, and the same bits for
// the attitude part.
TEST(FriedkinJohnsenStep, SmallAndLargeGathersMatchTheReference) {
  const VertexId n = 300000;
  const SocialGraph g = erdos_renyi(n, 4.0, true, 23);
  FriedkinJohnsen fj(g, n, {});
  const std::vector<double> lambda = random_lambda(n, 0.0, 1.0, 23);
  fj.set_susceptibility(lambda);
  const Eigen::VectorXd x = random_vector(n, -1.0, 1.0, 23, 1);
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 23, 2);
  const Eigen::VectorXd gap = random_vector(n, -0.5, 0.5, 23, 3);
  Eigen::VectorXd alone;
  fj.step(x, anchor, alone);
  EXPECT_LT(max_abs_diff(alone, reference_step(fj.influence_matrix(), lambda, x, anchor)), 1e-15);

  Eigen::VectorXd with_gap(n), out_gap(n);
  const auto view = [](const Eigen::VectorXd& v) { return std::span<const double>(v.data(), static_cast<std::size_t>(v.size())); };
  fj.step_with_gap(view(x), view(anchor), view(gap), std::span<double>(with_gap.data(), n),
                   std::span<double>(out_gap.data(), n));
  EXPECT_TRUE(bit_identical(with_gap, alone));
  const Eigen::VectorXd lambda_vector = Eigen::Map<const Eigen::VectorXd>(lambda.data(), n);
  const Eigen::VectorXd expected_gap = lambda_vector.cwiseProduct(fj.influence_matrix() * gap);
  EXPECT_LT(max_abs_diff(out_gap, expected_gap), 1e-15);
}

TEST(FriedkinJohnsenStep, WritingIntoAnchorIsAllowed) {
  const VertexId n = 3000;
  const SocialGraph g = erdos_renyi(n, 8.0, true, 17);
  FriedkinJohnsen fj(g, n, {});
  fj.set_susceptibility(random_lambda(n, 0.0, 1.0, 17));
  const Eigen::VectorXd x = random_vector(n, -1.0, 1.0, 17, 1);
  Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 17, 2);
  Eigen::VectorXd separate;
  fj.step(x, anchor, separate);
  fj.step(x, anchor, anchor);
  EXPECT_TRUE(bit_identical(anchor, separate));
}

TEST(FriedkinJohnsenStep, BitIdenticalForAnyThreadCount) {
  const VertexId n = 100000;
  const SocialGraph g = erdos_renyi(n, 10.0, true, 19);
  FriedkinJohnsen fj(g, n, {});
  fj.set_susceptibility(random_lambda(n, 0.3, 0.95, 19));
  const Eigen::VectorXd x = random_vector(n, -1.0, 1.0, 19, 1);
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 19, 2);
  std::vector<Eigen::VectorXd> results;
  for (int threads : {1, 2, 16}) {
    // global_control lets TBB start more workers than cores, so 16 threads really run.
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      Eigen::VectorXd a = x, b;
      for (int t = 0; t < 5; ++t) {
        fj.step(a, anchor, b);
        a.swap(b);
      }
      results.push_back(a);
    });
  }
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_TRUE(bit_identical(results[i], results[0])) << "thread setting " << i;
  }
}

TEST(FriedkinJohnsenValidation, RejectsBadSizesAndSusceptibilities) {
  const SocialGraph g = small_weighted_graph();
  EXPECT_THROW(FriedkinJohnsen(g, 7, {}), std::invalid_argument);
  EXPECT_THROW(FriedkinJohnsen(g, 5, {.susceptibility = 1.5}), std::invalid_argument);
  EXPECT_THROW(FriedkinJohnsen(g, 5, {.susceptibility = -0.1}), std::invalid_argument);
  EXPECT_THROW(FriedkinJohnsen(g, 5, {.susceptibility = std::nan("")}), std::invalid_argument);

  FriedkinJohnsen fj(g, 5, {});
  EXPECT_THROW(fj.set_susceptibility({0.5, 0.5}), std::invalid_argument);
  EXPECT_THROW(fj.set_susceptibility({0.5, 0.5, 1.01, 0.5, 0.5}), std::invalid_argument);
  EXPECT_THROW(fj.set_susceptibility({0.5, -1e-9, 0.5, 0.5, 0.5}), std::invalid_argument);
  EXPECT_THROW(fj.set_susceptibility({0.5, std::nan(""), 0.5, 0.5, 0.5}), std::invalid_argument);
  EXPECT_EQ(fj.susceptibility(), std::vector<double>(5, 0.8));  // unchanged after a rejection

  const Eigen::VectorXd five = Eigen::VectorXd::Zero(5), six = Eigen::VectorXd::Zero(6);
  Eigen::VectorXd out;
  EXPECT_THROW(fj.step(six, five, out), std::invalid_argument);
  EXPECT_THROW(fj.step(five, six, out), std::invalid_argument);
  Eigen::VectorXd x = five;
  EXPECT_THROW(fj.step(x, five, x), std::invalid_argument);
  EXPECT_THROW((void)fj.fixed_point(six), std::invalid_argument);
}

TEST(FriedkinJohnsenValidation, RejectsBadWeights) {
  const SocialGraph negative = SocialGraph::from_arcs(3, {{0, 1}, {2, 1}}, {1.0f, -1.0f});
  EXPECT_THROW(FriedkinJohnsen(negative, 3, {}), std::invalid_argument);
  const float inf = std::numeric_limits<float>::infinity();
  const SocialGraph infinite = SocialGraph::from_arcs(3, {{0, 1}, {2, 1}}, {1.0f, inf});
  EXPECT_THROW(FriedkinJohnsen(infinite, 3, {}), std::invalid_argument);
  // A bad weight on an institution's arc does not matter: it is not an influence weight.
  EXPECT_NO_THROW(FriedkinJohnsen(negative, 2, {}));
}

TEST(FriedkinJohnsenValidation, SingularSystemIsADomainError) {
  const Eigen::VectorXd anchor{{0.1, 0.2, 0.3, 0.4, 0.5}};
  const SocialGraph g = small_weighted_graph();
  FriedkinJohnsen fj(g, 5, {.susceptibility = 1.0});
  EXPECT_THROW((void)fj.fixed_point(anchor), std::domain_error);  // DeGroot: consensus, no anchor
  // Only user 4 (isolated) is fully susceptible: it keeps its start value, undetermined by anchors.
  fj.set_susceptibility({0.5, 0.5, 0.5, 0.5, 1.0});
  EXPECT_THROW((void)fj.fixed_point(anchor), std::domain_error);
  // Users 0 and 1 follow each other, both fully susceptible, while 1 also sees 2 (λ < 1): fine.
  fj.set_susceptibility({1.0, 1.0, 0.5, 0.5, 0.5});
  EXPECT_NO_THROW((void)fj.fixed_point(anchor));
  // 3 sees only 4, 4 sees nobody; both fully susceptible: singular although others are anchored.
  fj.set_susceptibility({0.5, 0.5, 0.5, 1.0, 1.0});
  EXPECT_THROW((void)fj.fixed_point(anchor), std::domain_error);
}

TEST(FriedkinJohnsenSchema, ParsesAndRejectsOutOfRange) {
  const auto& schema = FriedkinJohnsen::schema();
  FriedkinJohnsen::Params params;
  YamlOrigin origin;
  origin.file = "s.yaml";
  schema.parse(params, YAML::Load("{susceptibility: 0.35}"), origin, "attitude");
  EXPECT_EQ(params.susceptibility, 0.35);
  EXPECT_THROW(schema.parse(params, YAML::Load("{susceptibility: 1.2}"), origin, "attitude"),
               InputError);
  EXPECT_THROW(schema.parse(params, YAML::Load("{lambda: 0.5}"), origin, "attitude"), InputError);
  EXPECT_EQ(schema.to_yaml(FriedkinJohnsen::Params{})["susceptibility"].as<double>(), 0.8);
}

// Timing for docs/attitude-social-step.md; run with --gtest_also_run_disabled_tests.
TEST(FriedkinJohnsenPerformance, DISABLED_StepAtOneMillionUsers) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  const VertexId n = 1000000;
  auto t0 = Clock::now();
  const SocialGraph g = erdos_renyi(n, 20.0, false, 1);
  auto t1 = Clock::now();
  FriedkinJohnsen fj(g, n, {});
  fj.set_susceptibility(random_lambda(n, 0.3, 0.95, 1));
  auto t2 = Clock::now();
  std::printf("graph: %u users, %llu arcs, generated in %.2f s; W built in %.3f s (%lld nnz)\n", n,
              static_cast<unsigned long long>(g.num_arcs()), seconds(t0, t1), seconds(t1, t2),
              static_cast<long long>(fj.influence_matrix().nonZeros()));
  const Eigen::VectorXd anchor = random_vector(n, -1.0, 1.0, 1, 2);
  for (int threads : {1, 2}) {
    tbb::global_control allow(tbb::global_control::max_allowed_parallelism, threads);
    tbb::task_arena arena(threads);
    arena.execute([&] {
      Eigen::VectorXd x = anchor, next;
      fj.step(x, anchor, next);  // warm-up
      const int repeats = 20;
      std::vector<double> times;
      for (int r = 0; r < repeats; ++r) {
        const auto a = Clock::now();
        fj.step(x, anchor, next);
        times.push_back(seconds(a, Clock::now()));
        x.swap(next);
      }
      std::sort(times.begin(), times.end());
      std::printf("step, %d thread(s): median %.2f ms, min %.2f ms, max %.2f ms over %d steps\n",
                  threads, 1e3 * times[repeats / 2], 1e3 * times.front(), 1e3 * times.back(),
                  repeats);
    });
  }
  const auto f0 = Clock::now();
  const Eigen::VectorXd fixed = fj.fixed_point(anchor);
  const auto f1 = Clock::now();
  Eigen::VectorXd next;
  fj.step(fixed, anchor, next);
  std::printf("fixed_point: %.2f s; max |step(x*) - x*| = %.2e\n", seconds(f0, f1),
              max_abs_diff(next, fixed));
}

}  // namespace
}  // namespace softpower
