/**
 * Optimizer parity with PyTorch 1.13 (fixtures from gen_optim.py): parameters after each of 10
 * steps and the final optimizer state for every optimizer over several option sets (two
 * parameter groups and a parameter without a gradient in some), LR sequences of StepLR,
 * ExponentialLR and ReduceLROnPlateau, and clipGradNorm / clipGradValue.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { optim, utils, type Tensor } from "../../src/index.js";
import {
  assertClose,
  fromFixture,
  loadFixture,
  maxAbsDiff,
  ParityReport,
  type FixtureTensor,
} from "../helpers.js";

type Params = Record<"p1" | "p2" | "p3", Tensor>;
type Options = Record<string, unknown>;

interface TrajectoryCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Options;
  groups: { params: (keyof Params)[]; options: Options }[] | null;
  trajectory: Record<keyof Params, FixtureTensor>[];
  state: Record<string, Record<string, FixtureTensor | number>>;
  paramGroups: { lr: number; params: number[] }[];
}

interface TrajectoryFixture {
  steps: number;
  init: Record<keyof Params, FixtureTensor>;
  problem: Record<string, FixtureTensor>;
  cases: TrajectoryCase[];
}

const report = new ParityReport();
after(() => report.print("optim parity"));

const traj = loadFixture<TrajectoryFixture>("optim_trajectories");
const problem = Object.fromEntries(
  Object.entries(traj.problem).map(([k, v]) => [k, fromFixture(v)]),
);

/** The loss of gen_optim.py, op for op: Σ w·(p − t)·(p − t) + 0.1·Σ p·p·p·p over p1 and p2. */
function loss(params: Params): Tensor {
  let total: Tensor | null = null;
  for (const name of ["p1", "p2"] as const) {
    const p = params[name];
    const d = p.sub(problem[`t_${name}`]);
    const term = problem[`w_${name}`]
      .mul(d)
      .mul(d)
      .sum()
      .add(p.mul(p).mul(p).mul(p).sum().mul(0.1));
    total = total === null ? term : total.add(term);
  }
  return total!;
}

const makers: Record<
  TrajectoryCase["optimizer"],
  (g: optim.ParamGroupInput[] | Tensor[], o: Options) => optim.Optimizer
> = {
  SGD: (g, o) => new optim.SGD(g, o),
  Adam: (g, o) => new optim.Adam(g, o),
  AdamW: (g, o) => new optim.AdamW(g, o),
  RMSprop: (g, o) => new optim.RMSprop(g, o),
  Adagrad: (g, o) => new optim.Adagrad(g, o),
};

describe("optim parity: 10-step trajectories", () => {
  for (const c of traj.cases) {
    test(c.name, () => {
      const params = Object.fromEntries(
        Object.entries(traj.init).map(([k, v]) => [k, fromFixture(v, { requiresGrad: true })]),
      ) as Params;
      const groups =
        c.groups === null
          ? [params.p1, params.p2, params.p3]
          : c.groups.map((g) => ({ params: g.params.map((n) => params[n]), ...g.options }));
      const opt = makers[c.optimizer](groups, c.options);
      for (let step = 0; step < traj.steps; step++) {
        opt.zeroGrad();
        loss(params).backward();
        assert.equal(params.p3.grad, null);
        opt.step();
        for (const name of ["p1", "p2", "p3"] as const) {
          const err = assertClose(
            params[name],
            c.trajectory[step][name],
            1e-5,
            `${c.name} step ${step + 1} ${name}`,
          );
          report.add(c.optimizer, err);
        }
      }
      // p3 never had a gradient: unchanged, and (except Adagrad, which builds state eagerly) stateless.
      assert.deepEqual([...params.p3.data], traj.init.p3.data);
      const sd = opt.stateDict();
      assert.deepEqual(Object.keys(sd.state).sort(), Object.keys(c.state).sort(), "state entries");
      for (const [index, expected] of Object.entries(c.state)) {
        const actual = sd.state[Number(index)];
        assert.deepEqual(
          Object.keys(actual).sort(),
          Object.keys(expected).sort(),
          `state ${index} keys`,
        );
        for (const [key, value] of Object.entries(expected)) {
          if (typeof value === "number") assert.equal(actual[key], value, `state ${index} ${key}`);
          else
            report.add(
              `${c.optimizer} state`,
              assertClose(actual[key] as Tensor, value, 1e-5, `${key}`),
            );
        }
      }
      assert.deepEqual(
        sd.paramGroups.map((g) => ({ lr: g.lr, params: g.params })),
        c.paramGroups,
      );
    });
  }
});

interface SchedulerCase {
  name: string;
  kind: "StepLR" | "ExponentialLR" | "ReduceLROnPlateau";
  options: Options;
  lrs: number[][];
  lastEpoch?: number;
  metrics?: number[];
  numBadEpochs?: number[];
  cooldownCounter?: number[];
  best?: number;
}

describe("optim parity: LR schedules", () => {
  const { cases } = loadFixture<{ cases: SchedulerCase[] }>("optim_schedulers");
  const makeOpt = () =>
    new optim.SGD(
      [
        { params: [fromFixture({ shape: [2], data: [0, 0] }, { requiresGrad: true })] },
        {
          params: [fromFixture({ shape: [3], data: [0, 0, 0] }, { requiresGrad: true })],
          lr: 0.05,
        },
      ],
      {
        lr: 0.1,
        momentum: 0.9,
      },
    );
  for (const c of cases) {
    test(c.name, () => {
      const opt = makeOpt();
      if (c.kind === "ReduceLROnPlateau") {
        const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, c.options);
        c.metrics!.forEach((m, i) => {
          opt.step();
          sched.step(m);
          assert.deepEqual(sched.getLastLr(), c.lrs[i], `epoch ${i + 1} lr`);
          assert.deepEqual(
            opt.paramGroups.map((g) => g.lr),
            c.lrs[i],
          );
          assert.equal(sched.numBadEpochs, c.numBadEpochs![i], `epoch ${i + 1} numBadEpochs`);
          assert.equal(
            sched.cooldownCounter,
            c.cooldownCounter![i],
            `epoch ${i + 1} cooldownCounter`,
          );
        });
        assert.equal(sched.best, c.best);
        return;
      }
      const sched =
        c.kind === "StepLR"
          ? new optim.lrScheduler.StepLR(
              opt,
              c.options as unknown as optim.lrScheduler.StepLROptions,
            )
          : new optim.lrScheduler.ExponentialLR(
              opt,
              c.options as unknown as optim.lrScheduler.ExponentialLROptions,
            );
      const lrs = [sched.getLastLr()];
      for (let i = 1; i < c.lrs.length; i++) {
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr());
      }
      assert.deepEqual(lrs, c.lrs);
      assert.equal(sched.lastEpoch, c.lastEpoch);
    });
  }
});

interface ClipFixture {
  grads: FixtureTensor[];
  cases: {
    name: string;
    maxNorm: number;
    normType: number | "inf";
    totalNorm: number;
    grads: FixtureTensor[];
  }[];
  value: { clipValue: number; grads: FixtureTensor[] };
}

describe("optim parity: gradient clipping", () => {
  const fx = loadFixture<ClipFixture>("optim_clip");
  const withGrads = (): Tensor[] => {
    const ps = fx.grads.map((g) =>
      fromFixture({ shape: g.shape, data: g.data.map(() => 0) }, { requiresGrad: true }),
    );
    ps.forEach((p, i) => (p.grad = fromFixture(fx.grads[i])));
    // A parameter without a gradient is ignored, as in PyTorch.
    return [...ps, fromFixture({ shape: [3], data: [0, 0, 0] }, { requiresGrad: true })];
  };
  for (const c of fx.cases) {
    test(`clipGradNorm ${c.name}`, () => {
      const ps = withGrads();
      const normType = c.normType === "inf" ? Infinity : c.normType;
      const total = utils.clipGradNorm(ps, c.maxNorm, { normType });
      const err = Math.abs(total - c.totalNorm);
      assert.ok(err <= 1e-5 * Math.max(1, c.totalNorm), `total norm ${total} vs ${c.totalNorm}`);
      report.add("clipGradNorm total", err);
      c.grads.forEach((g, i) =>
        report.add("clipGradNorm grads", assertClose(ps[i].grad!, g, 1e-5, `grad ${i}`)),
      );
      assert.equal(ps[3].grad, null);
    });
  }
  test("clipGradValue", () => {
    const ps = withGrads();
    utils.clipGradValue(ps, fx.value.clipValue);
    fx.value.grads.forEach((g, i) => assert.equal(maxAbsDiff(ps[i].grad!, g), 0, `grad ${i}`));
  });
});
