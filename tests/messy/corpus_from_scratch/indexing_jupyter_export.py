#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().system('pip install einops')
import torch as t
from einops import rearrange


# In[2]:


def fliplr(matrix):
    n = matrix.shape[1]
    return matrix[:, n - 1 - t.arange(n)]


print(fliplr(t.arange(6).view(2, 3)))


# In[3]:


def roll(x, shift):
    n = x.shape[1]
    if n == 0:
        return x.clone()
    return x[:, (t.arange(n) - shift) % n]


# In[4]:


def repeat_interleave(x, times):
    idx = t.arange(x.shape[0] * times) // times
    return x[idx]


def tile(x, times):
    idx = t.arange(x.shape[0] * times) % max(x.shape[0], 1)
    return x[idx]
