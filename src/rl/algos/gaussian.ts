// Bounds of a Gaussian policy's log standard deviation, shared by SAC (its squashed policy) and
// PPO (continuous actions): below −20 the density overflows, above 2 an entropy bonus can keep
// pushing it until exp() overflows and every action is NaN.

export const LOG_STD_MIN = -20;
export const LOG_STD_MAX = 2;

export function clampLogStd(x: number): number {
  return x < LOG_STD_MIN ? LOG_STD_MIN : x > LOG_STD_MAX ? LOG_STD_MAX : x;
}
