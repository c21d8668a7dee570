# %%

from einops import rearrange, reduce

# %%
# Axis mix-ups: grouping by day of the week, not flattening back, one std for all weeks.


def temperatures_average(temps):
    return reduce(temps, "(d w) -> w", "mean", d=7)


def temperatures_differences(temps):
    weeks = rearrange(temps, "(w d) -> w d", d=7)
    return weeks - weeks.mean(dim=1, keepdim=True)


def temperatures_normalized(temps):
    weeks = rearrange(temps, "(w d) -> w d", d=7)
    out = (weeks - weeks.mean(dim=1, keepdim=True)) / temps.std()
    return rearrange(out, "w d -> (w d)")
